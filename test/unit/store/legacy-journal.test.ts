/**
 * A journal written before deliveries had kinds still opens, and shows what it holds as what it
 * is: a trigger's resources as resource deliveries, and the run of the listener's CloudEvents
 * (then a pseudo-trigger "(cloudEventURI)" at trace index -1, its "resources" `hookline.dev/v1
 * CloudEvent`s) as the listener's run of cloudevent deliveries.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packNotApplicable } from "../../../src/store/pack-not-applicable.js";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS as PG_MIGRATIONS, quoteSchema } from "../../../src/store/postgres/schema.js";
import { createPostgresJournal } from "../../../src/store/postgres/postgres-journal.js";
import { MIGRATIONS as SQLITE_MIGRATIONS } from "../../../src/store/sqlite/schema.js";
import { createSqliteJournal } from "../../../src/store/sqlite/sqlite-journal.js";
import type { Journal } from "../../../src/store/types.js";

const EVENT = randomUUID();
const T0 = 1_700_000_000_000;
const RESOURCE = {
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  namespace: "ci",
  name: undefined,
  generateName: "build-",
  body: { apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: { generateName: "build-" } },
};
/** The deliveries JSON of the old trigger run: no `kind`; delivered, with where it was created. */
const OLD_TRIGGER_DELIVERIES = JSON.stringify([
  {
    seq: 0,
    deliveryKey: `${EVENT}.0.0`,
    resource: RESOURCE,
    state: "delivered",
    attempts: [{ at: new Date(T0).toISOString() }],
    created: {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      namespace: "ci",
      name: "build-abcde",
      location: "out/ci/PipelineRun/build-abcde.yaml",
    },
  },
]);
const OLD_CLOUDEVENT_DELIVERIES = JSON.stringify(
  ["started", "successful", "done"].map((t, seq) => ({
    seq,
    deliveryKey: `${EVENT}.ce.${seq}`,
    resource: {
      apiVersion: "hookline.dev/v1",
      kind: "CloudEvent",
      namespace: "ci",
      body: {
        uri: "http://sink.example/events",
        event: {
          id: `${EVENT}-${t}`,
          type: `dev.tekton.event.triggers.${t}.v1`,
          source: "/apis/triggers.tekton.dev/v1beta1/namespaces/ci/eventlisteners/el",
          subject: `el processing ${EVENT}`,
          data: { "X-Custom": ["yes"] },
        },
      },
    },
    state: "pending",
    attempts: [],
  })),
);

async function expectReadAsKinds(journal: Journal): Promise<void> {
  const runs = await journal.getRuns(EVENT);
  expect(runs.map((r) => r.origin)).toEqual([
    { kind: "trigger", traceIndex: 0, trigger: "build" },
    { kind: "listener" },
  ]);
  const [triggerRun, listenerRun] = runs;
  expect(triggerRun?.deliveries).toEqual([
    expect.objectContaining({
      kind: "resource",
      resource: RESOURCE,
      state: "delivered",
      created: expect.objectContaining({ name: "build-abcde" }) as unknown,
    }),
  ]);
  expect(listenerRun?.deliveries.map((d) => d.kind === "cloudevent" && d.event.type)).toEqual([
    "dev.tekton.event.triggers.started.v1",
    "dev.tekton.event.triggers.successful.v1",
    "dev.tekton.event.triggers.done.v1",
  ]);
  expect(listenerRun?.deliveries[0]).toMatchObject({
    kind: "cloudevent",
    uri: "http://sink.example/events",
    deliveryKey: `${EVENT}.ce.0`,
  });
  // The pending listener run is claimed and saved as any run is, and reads back the same.
  const [claimed] = await journal.claimDueRunsOfEvent(EVENT, new Date(T0 + 1000), 60_000);
  expect(claimed?.origin).toEqual({ kind: "listener" });
  if (claimed === undefined) return;
  await journal.saveRun({ ...claimed, state: "delivered" });
  const [, saved] = await journal.getRuns(EVENT);
  const { claimToken: _token, ...run } = claimed;
  expect(saved).toEqual({ ...run, state: "delivered" });
}

describe("a SQLite journal from before delivery kinds", () => {
  const dir = mkdtempSync(join(tmpdir(), "hookline-legacy-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens (migrated) and reads its runs by kind", async () => {
    const path = join(dir, "v1.db");
    const db = new Database(path);
    db.exec(SQLITE_MIGRATIONS[0] ?? "");
    db.pragma("user_version = 1");
    db.prepare(
      `INSERT INTO events (id, listener, provider, received_at, method, url, headers, body, status, outcome, traces)
       VALUES (?, 'ci/el', 'generic', ?, 'POST', '/', '{}', ?, 202, 'fired', '[]')`,
    ).run(EVENT, T0, Buffer.from("{}"));
    const run = db.prepare(
      `INSERT INTO runs (id, event_id, trace_index, trigger, namespace, service_account, state, attempts, next_attempt_at, deliveries)
       VALUES (?, ?, ?, ?, 'ci', NULL, ?, 0, ?, ?)`,
    );
    run.run(randomUUID(), EVENT, 0, "build", "delivered", T0, OLD_TRIGGER_DELIVERIES);
    run.run(randomUUID(), EVENT, -1, "(cloudEventURI)", "pending", T0, OLD_CLOUDEVENT_DELIVERIES);
    db.close();

    const journal = createSqliteJournal({ path });
    try {
      await expectReadAsKinds(journal);
    } finally {
      await journal.close();
    }
  });
});

/** Traces as journaled before `not_applicable` was an outcome of its own. */
const OLD_NOT_APPLICABLE_TRACES = JSON.stringify(
  [
    ["push", "github", "event type ping is not allowed"],
    ["gitlab-push", "gitlab", "event type  is not allowed"],
    ["tags", "tags-only", "not a tag push"],
  ].map(([trigger, interceptor, message]) => ({
    trigger,
    namespace: "ci",
    triggerId: `namespaces/ci/triggers/${trigger}`,
    via: "inline",
    interceptors: [{ interceptor, outcome: "stop", code: "FAILED_PRECONDITION", message }],
    extensions: {},
    params: [],
    outcome: {
      kind: "filtered",
      interceptor,
      code: "FAILED_PRECONDITION",
      message,
      notApplicable: true,
    },
    durationMs: 0.1,
  })),
);

describe("a SQLite journal from before not_applicable", () => {
  const dir = mkdtempSync(join(tmpdir(), "hookline-legacy-na-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads its not-applicable triggers as not_applicable, with what ruled them out", async () => {
    const path = join(dir, "na.db");
    const journal = createSqliteJournal({ path });
    try {
      // A row as the previous version wrote it (the schema is the same: only the traces' JSON differs).
      const db = new Database(path);
      db.prepare(
        `INSERT INTO events (id, listener, provider, received_at, method, url, headers, body, status, outcome, traces)
         VALUES (?, 'ci/el', 'github', ?, 'POST', '/', '{}', ?, 202, 'filtered', ?)`,
      ).run(EVENT, T0, Buffer.from("{}"), OLD_NOT_APPLICABLE_TRACES);
      db.close();
      const event = await journal.getEvent(EVENT);
      expect(event?.traces.map((t) => t.outcome)).toEqual([
        {
          kind: "not_applicable",
          interceptor: "github",
          ruledOutBy: { fact: "eventType", seen: "ping", expected: [], header: "X-GitHub-Event" },
          message: "event type ping; this trigger does not listen to it",
        },
        {
          kind: "not_applicable",
          interceptor: "gitlab",
          ruledOutBy: { fact: "provider", seen: "", expected: "gitlab", header: "X-Gitlab-Event" },
          message: "no X-Gitlab-Event header",
        },
        {
          kind: "not_applicable",
          interceptor: "tags-only",
          ruledOutBy: { fact: "interceptor", seen: "not a tag push", interceptor: "tags-only" },
          message: "not a tag push",
        },
      ]);
      const page = await journal.listEvents({ limit: 10 });
      // In the list they are counted, not listed (as for new rows).
      expect(page.events[0]).toMatchObject({ triggers: [], notApplicable: 3 });
    } finally {
      await journal.close();
    }
  });
});

describe("a SQLite journal from before the packed not-applicable list", () => {
  const dir = mkdtempSync(join(tmpdir(), "hookline-legacy-na2-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads its `{trigger, ruledOutBy}` entries as they are, and finds them by name", async () => {
    const path = join(dir, "na2.db");
    const journal = createSqliteJournal({ path });
    const notApplicable = [
      {
        trigger: "other-repo",
        ruledOutBy: {
          fact: "filter",
          seen: "acme/a",
          expected: ["acme/b"],
          subject: "body.repository.full_name",
        },
      },
      {
        trigger: "gitlab",
        ruledOutBy: {
          fact: "provider",
          seen: "github",
          expected: "gitlab",
          header: "X-Gitlab-Event",
        },
      },
    ];
    try {
      // The column as the previous version wrote it: one entry per trigger after the traces.
      const db = new Database(path);
      db.prepare(
        `INSERT INTO events (id, listener, provider, received_at, method, url, headers, body, status, outcome, traces)
         VALUES (?, 'ci/el', 'github', ?, 'POST', '/', '{}', ?, 202, 'filtered', ?)`,
      ).run(EVENT, T0, Buffer.from("{}"), JSON.stringify(notApplicable));
      db.close();
      const event = await journal.getEvent(EVENT);
      expect(event?.traces).toEqual([]);
      expect(event?.notApplicable).toEqual(notApplicable);
      const page = await journal.listEvents({ limit: 10, trigger: "gitlab" });
      expect(page.events.map((e) => [e.id, e.notApplicable])).toEqual([[EVENT, 2]]);
    } finally {
      await journal.close();
    }
  });
});

describe("a SQLite journal from before not-applicable sets", () => {
  const dir = mkdtempSync(join(tmpdir(), "hookline-legacy-na3-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads its inline packed list as it is, finds it by name, and prunes it", async () => {
    const path = join(dir, "na3.db");
    const journal = createSqliteJournal({ path });
    const notApplicable = ["a", "b"].map((trigger) => ({
      trigger,
      ruledOutBy: {
        fact: "filter" as const,
        seen: "acme/a",
        expected: [`acme/${trigger}`],
        subject: "body.repository.full_name",
      },
    }));
    try {
      // The column as version 2 wrote it: the packed list inline, after the traces.
      const db = new Database(path);
      db.prepare(
        `INSERT INTO events (id, listener, provider, received_at, method, url, headers, body, status, outcome, traces)
         VALUES (?, 'ci/el', 'github', ?, 'POST', '/', '{}', ?, 202, 'filtered', ?)`,
      ).run(EVENT, T0, Buffer.from("{}"), JSON.stringify([packNotApplicable(notApplicable)]));
      db.close();
      expect((await journal.getEvent(EVENT))?.notApplicable).toEqual(notApplicable);
      const page = await journal.listEvents({ limit: 10, trigger: "b" });
      expect(page.events.map((e) => [e.id, e.notApplicable])).toEqual([[EVENT, 2]]);
      await expect(journal.prune(new Date(T0 + 1))).resolves.toBe(1);
    } finally {
      await journal.close();
    }
  });
});

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const url =
  process.env.HOOKLINE_TEST_POSTGRES_URL ??
  (process.env.CI !== undefined || (await answers("127.0.0.1", 5432))
    ? "postgres://postgres@127.0.0.1:5432/test"
    : undefined);

describe.skipIf(url === undefined)("a PostgreSQL journal from before delivery kinds", () => {
  const schema = `hookline_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  afterAll(async () => {
    try {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.end();
    }
  });

  it("opens (migrated) and reads its runs by kind", async () => {
    const s = quoteSchema(schema);
    const first = PG_MIGRATIONS[0];
    if (first === undefined) throw new Error("no migrations");
    await admin.query(`CREATE SCHEMA ${s}`);
    await admin.query(
      `CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await admin.query(first.sql(s));
    await admin.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES (1, $1)`, [
      first.name,
    ]);
    await admin.query(
      `INSERT INTO ${s}.events (id, listener, listener_namespace, listener_name, provider,
         received_at, method, url, headers, body, status, outcome, traces, trigger_names, trigger_outcomes)
       VALUES ($1, 'ci/el', 'ci', 'el', 'generic', $2, 'POST', '/', '{}', $3, 202, 'fired', '[]', '{}', '{}')`,
      [EVENT, new Date(T0), Buffer.from("{}")],
    );
    const run = `INSERT INTO ${s}.runs (id, event_id, trace_index, trigger, namespace, state, attempts,
        next_attempt_at, deliveries) VALUES ($1, $2, $3, $4, 'ci', $5, 0, $6, $7::json)`;
    await admin.query(run, [
      randomUUID(),
      EVENT,
      0,
      "build",
      "delivered",
      new Date(T0),
      OLD_TRIGGER_DELIVERIES,
    ]);
    await admin.query(run, [
      randomUUID(),
      EVENT,
      -1,
      "(cloudEventURI)",
      "pending",
      new Date(T0),
      OLD_CLOUDEVENT_DELIVERIES,
    ]);

    const journal = await createPostgresJournal({ url: url ?? "", schema, poolSize: 2 });
    try {
      await expectReadAsKinds(journal);
    } finally {
      await journal.close();
    }
  });
});
