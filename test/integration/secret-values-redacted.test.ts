import Database from "better-sqlite3";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";
import { writeConfigDir } from "../support/test-app.js";

const QUERY_TOKEN = "q-t0ken-in-the-url-7f3a";
const HOOK_KEY = "h00k-key-in-a-header-91c2";
const WRONG_QUERY_TOKEN = "wrong-q-t0ken-55e1";
const WRONG_HOOK_KEY = "wrong-h00k-key-0b7d";
/** Kept as sent: a wrong token is no secret, and this listener keeps its query. */
const KEPT_WRONG_TOKEN = "kept-wr0ng-t0ken";
const ADMIN_TOKEN = "adm1n-t0ken-secret-values";

const template = `
      template:
        spec:
          params: [{ name: ref }]
          resourcetemplates:
            - apiVersion: v1
              kind: ConfigMap
              metadata: { generateName: tok- }
              data: { ref: $(tt.params.ref) }
      bindings: [{ name: ref, value: $(body.ref) }]`;

/**
 * Tekton's usual way to authenticate a generic sender: a shared token in the query string or in a
 * custom header, checked by CEL's compareSecret. Neither name is a credential header's, so only
 * redaction by value (and of query values) keeps the tokens out of everything hookline stores or
 * shows: the journal's raw SQLite rows and file, the logs, every admin API answer and every page.
 */
const CONFIG = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: generic }
spec:
  triggers:
    - name: query-token
      interceptors:
        - ref: { name: cel }
          params:
            - name: filter
              value: "requestURL.parseURL().query['token'].compareSecret('token', 'query-secret')"
${template}
    - name: header-token
      interceptors:
        - ref: { name: cel }
          params:
            - name: filter
              value: "header.canonical('X-Hook-Key').compareSecret('key', 'hook-secret')"
            - name: overlays
              value:
                - { key: seen, expression: "header.canonical('X-Hook-Key') + '/' + requestURL" }
${template}
    - name: token-in-an-error
      interceptors:
        - ref: { name: cel }
          params:
            - name: filter
              # Fails with an error that quotes the header's value: "failed to decode '…' in parseJSON".
              value: "header.canonical('X-Hook-Key').parseJSON().x == 1"
${template}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: keeps-query
  annotations:
    hookline.dev/keep-query: "true"
    hookline.dev/redact-headers: "x-hook-key"
spec:
  triggers:
    - name: query-token
      interceptors:
        - ref: { name: cel }
          params:
            - name: filter
              value: "requestURL.parseURL().query['token'].compareSecret('token', 'query-secret')"
${template}
---
apiVersion: v1
kind: Secret
metadata: { name: query-secret }
stringData: { token: ${QUERY_TOKEN} }
---
apiVersion: v1
kind: Secret
metadata: { name: hook-secret }
stringData: { key: ${HOOK_KEY} }
`;

interface Sent {
  listener: string;
  query: string;
  headers: Record<string, string>;
}

const SENT: Sent[] = [
  // Both tokens right: the query and the header triggers fire.
  {
    listener: "generic",
    query: `?token=${QUERY_TOKEN}&ref=main`,
    headers: { "X-Hook-Key": HOOK_KEY },
  },
  // Both wrong: nothing fires.
  {
    listener: "generic",
    query: `?token=${WRONG_QUERY_TOKEN}`,
    headers: { "X-Hook-Key": WRONG_HOOK_KEY },
  },
  // The tokens where no name rule looks: another header, another parameter, percent-encoded.
  {
    listener: "generic",
    query: `?token=${QUERY_TOKEN}&also=${encodeURIComponent(`x ${HOOK_KEY}`)}`,
    headers: { "X-Hook-Key": HOOK_KEY, "X-Debug": `Bearer ${QUERY_TOKEN}` },
  },
  // The listener that keeps its query: every other value stays, the secret does not.
  { listener: "keeps-query", query: `?token=${QUERY_TOKEN}&ref=main`, headers: {} },
  {
    listener: "keeps-query",
    query: `?token=${KEPT_WRONG_TOKEN}&ref=main`,
    headers: { "X-Hook-Key": WRONG_HOOK_KEY },
  },
];

describe("secret values are redacted wherever they would be stored or shown", () => {
  let t: TestAdmin;
  let dir: string;
  let store: string;
  const answers: string[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hookline-secret-values-"));
    store = join(dir, "journal.db");
    t = await createTestAdmin(await writeConfigDir({ "listeners.yaml": CONFIG }), {
      token: ADMIN_TOKEN,
      journal: createSqliteJournal({ path: store }),
    });
    for (const s of SENT) {
      const res = await request(t.app.server)
        .post(`/listeners/default/${s.listener}${s.query}`)
        .set("Content-Type", "application/json")
        .set(s.headers)
        .send('{"ref":"main"}');
      expect(res.status, res.text).toBe(202);
      answers.push(res.text);
      ids.push(res.headers["x-hookline-event-id"] as string);
    }
    await t.app.worker.drain();
  });
  afterAll(async () => {
    await t.app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  const event = async (
    id: string | undefined,
  ): Promise<{
    url: string;
    headers: Record<string, string[]>;
    triggers: { trigger: string; outcome: { kind: string } }[];
  }> =>
    (
      await request(t.admin)
        .get(`/api/v1/events/${id ?? ""}`)
        .set(auth)
    ).body as {
      url: string;
      headers: Record<string, string[]>;
      triggers: { trigger: string; outcome: { kind: string } }[];
    };

  it("checks the tokens as sent: right ones fire, wrong ones do not", async () => {
    const fired = (e: Awaited<ReturnType<typeof event>>): string[] =>
      e.triggers.filter((x) => x.outcome.kind === "fired").map((x) => x.trigger);
    expect(fired(await event(ids[0]))).toEqual(["query-token", "header-token"]);
    expect(fired(await event(ids[1]))).toEqual([]);
    expect(fired(await event(ids[3]))).toEqual(["query-token"]);
    expect(fired(await event(ids[4]))).toEqual([]);
  });

  it("stores query values redacted, unless the listener keeps them (secret values never)", async () => {
    expect((await event(ids[0])).url).toBe(
      "/listeners/default/generic?token=[redacted]&ref=[redacted]",
    );
    expect((await event(ids[3])).url).toBe(
      "/listeners/default/keeps-query?token=[redacted]&ref=main",
    );
    // A wrong token authenticates nobody and fires nothing: the row is metadata only, with the
    // path and no query at all, whatever the listener keeps.
    expect((await event(ids[4])).url).toBe("/listeners/default/keeps-query");
    // By value in any header; by name in those the listener names.
    expect((await event(ids[2])).headers["X-Debug"]).toEqual(["Bearer [redacted]"]);
    expect((await event(ids[4])).headers["X-Hook-Key"]).toBeUndefined();
  });

  it("replays with the tokens redacted: the token checks fail, as documented", async () => {
    const res = await request(t.admin)
      .post(`/api/v1/events/${ids[0] ?? ""}/replay`)
      .set(auth)
      .set("Content-Type", "application/json");
    expect(res.status, res.text).toBe(202);
    answers.push(res.text);
    const replayed = await event((res.body as { eventID: string }).eventID);
    expect(replayed.triggers.map((x) => x.outcome.kind)).not.toContain("fired");
  });

  it("finds neither token in the journal, the logs, any answer or any page", async () => {
    const list = await request(t.admin).get("/api/v1/events?limit=200").set(auth);
    answers.push(list.text);
    const listed = (list.body as { events: { id: string }[] }).events.map((e) => e.id);
    expect(listed.length).toBe(SENT.length + 1);
    for (const id of listed) {
      answers.push((await request(t.admin).get(`/api/v1/events/${id}`).set(auth)).text);
      answers.push((await request(t.admin).get(`/ui/events/${id}`).set(auth)).text);
    }
    answers.push((await request(t.admin).get("/ui/").set(auth)).text);
    answers.push((await request(t.admin).get("/metrics")).text);
    const files = await Promise.all((await t.app.written()).map((w) => readFile(w.path, "utf8")));
    expect(files.length).toBeGreaterThan(0);
    await t.app.worker.drain();

    // The journal as stored: every row of every table, then the database files' bytes.
    const db = new Database(store, { readonly: true });
    const rows: string[] = [];
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[])
          for (const v of Object.values(row))
            rows.push(Buffer.isBuffer(v) ? v.toString("utf8") : String(v));
      }
    } finally {
      db.close();
    }
    const dbFiles = await Promise.all(
      (await readdir(dir)).map((f) => readFile(join(dir, f), "latin1")),
    );

    const sources = {
      logs: t.app.logs.text(),
      answers: answers.join("\n"),
      files: files.join("\n"),
      rows: rows.join("\n"),
      dbFiles: dbFiles.join("\n"),
    };
    const secrets = [
      QUERY_TOKEN,
      HOOK_KEY,
      encodeURIComponent(`x ${HOOK_KEY}`),
      WRONG_QUERY_TOKEN,
      ADMIN_TOKEN,
    ];
    const hits = Object.entries(sources).flatMap(([where, text]) =>
      secrets
        .map((secret) => ({
          where,
          secret: `${secret.slice(0, 8)}…`,
          n: text.split(secret).length - 1,
        }))
        .filter((h) => h.n > 0),
    );
    expect(hits).toEqual([]);
    // The run produced what was searched: events logged, the CEL error kept (its value redacted).
    expect(t.app.logs.entries.length).toBeGreaterThan(5);
    expect(sources.logs).toContain("failed to decode '[redacted]' in parseJSON");
    expect(sources.rows).toContain("[redacted]");
  });
});
