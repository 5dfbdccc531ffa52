/**
 * Replay delivers what it replays, and nothing else (issue 9): `serve --sink kubernetes` against a
 * cluster that is down leaves the original event's run pending in the journal; `hookline replay`
 * must not take that run (nor any other event's), on SQLite and on a shared PostgreSQL journal.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import request from "supertest";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { fakeIo } from "../support/fake-io.js";
import { createSecretResolver } from "../../src/config/secret-resolver.js";
import { createDeliveryWorker } from "../../src/delivery/delivery-worker.js";
import { HooklineError } from "../../src/errors/hookline-error.js";
import { replayEvent } from "../../src/listener/replay-event.js";
import { createLocalSink } from "../../src/sinks/local/local-sink.js";
import type { Sink } from "../../src/sinks/types.js";
import { createPostgresJournal } from "../../src/store/postgres/postgres-journal.js";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import type { Journal } from "../../src/store/types.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { noGroupOps, noPatches } from "../support/no-patches.js";

const EVENT_ID_LABEL = "triggers.tekton.dev/triggers-eventid";

/** The cluster is down: every create fails as a connection refused would (retryable). */
const unreachableCluster: Sink = {
  kind: "kubernetes",
  create: () =>
    Promise.reject(
      new HooklineError("HL_SINK_WRITE_FAILED", "connect ECONNREFUSED 127.0.0.1:6443", {
        retryable: true,
      }),
    ),
  patch: noPatches,
  ...noGroupOps,
};

function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const PG_URL =
  process.env.HOOKLINE_TEST_POSTGRES_URL ??
  (process.env.CI !== undefined || (await answers("127.0.0.1", 5432, 500))
    ? "postgres://postgres@127.0.0.1:5432/test"
    : undefined);

const dir = mkdtempSync(join(tmpdir(), "hookline-replay-own-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (PG_URL === undefined || schemas.length === 0) return;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  try {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await admin.end();
  }
});

let n = 0;
const stores: { name: string; skip: boolean; open: () => Promise<Journal> }[] = [
  {
    name: "sqlite",
    skip: false,
    open: () => {
      const path = join(dir, `journal-${++n}.db`);
      return Promise.resolve(createSqliteJournal({ path }));
    },
  },
  {
    name: "postgres",
    skip: PG_URL === undefined,
    open: () => {
      const schema = `hookline_test_${randomBytes(6).toString("hex")}`;
      schemas.push(schema);
      return createPostgresJournal({ url: PG_URL ?? "", schema, poolSize: 4 });
    },
  },
];

/** A signed push to the example config, recorded while the cluster is down: its run stays due. */
async function pushWhileClusterDown(app: TestApp): Promise<string> {
  const body = githubFixture("push");
  const res = await request(app.server)
    .post("/")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", "push")
    .set("X-GitHub-Delivery", randomBytes(8).toString("hex"))
    .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
    .send(wire(body));
  expect(res.status).toBe(202);
  return (res.body as { eventID: string }).eventID;
}

describe.each(stores)("replay on $name delivers only the event it replays", ({ skip, open }) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it.skipIf(skip)(
    "leaves another event's due run untouched and creates the replay's resources once",
    async () => {
      const journal = await open();
      app = await createTestApp(EXAMPLE_CONFIG, { journal, sink: unreachableCluster });
      const original = await pushWhileClusterDown(app);
      const other = await pushWhileClusterDown(app);
      // Nothing could reach the cluster: both runs are pending and due now.
      const before = {
        original: await journal.getRuns(original),
        other: await journal.getRuns(other),
      };
      for (const runs of Object.values(before)) {
        expect(runs.map((r) => [r.state, r.attempts])).toEqual([["pending", 0]]);
        expect(runs[0]?.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
      }

      const stored = await journal.getEvent(original);
      if (stored === undefined) throw new Error("the original event is not in the journal");
      const result = await replayEvent(stored, {
        config: app.config,
        secrets: createSecretResolver({ fromConfig: app.config.secrets }),
        log: app.log,
        deadlineMs: 2000,
        journal,
      });
      expect(result.event.outcome).toBe("fired");
      const outDir = mkdtempSync(join(dir, "out-"));
      const replayWorker = createDeliveryWorker({
        journal,
        sink: createLocalSink({ outDir }),
        log: createCapturingLogger().log,
      });
      await replayWorker.deliverEvent(result.event.id);
      // Again: nothing is due for the replay any more, and nothing else is taken.
      await replayWorker.deliverEvent(result.event.id);

      expect(await journal.getRuns(original)).toEqual(before.original);
      expect(await journal.getRuns(other)).toEqual(before.other);
      const [replayed] = await journal.getRuns(result.event.id);
      expect(replayed?.state).toBe("delivered");
      expect(replayed?.attempts).toBe(1);
      const written = await readWritten(outDir);
      expect(written).toHaveLength(1);
      expect(written.map((w) => w.labels[EVENT_ID_LABEL])).toEqual([result.event.id]);
    },
  );
});

describe("hookline replay EVENT_ID (the command)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("delivers the replay through its sink and leaves the journal's other due runs", async () => {
    const path = join(dir, "command.db");
    const app = await createTestApp(EXAMPLE_CONFIG, {
      journal: createSqliteJournal({ path }),
      sink: unreachableCluster,
    });
    let original: string;
    let other: string;
    try {
      original = await pushWhileClusterDown(app);
      other = await pushWhileClusterDown(app);
    } finally {
      await app.close(); // closes the journal: the command opens the file itself
    }
    const outDir = mkdtempSync(join(dir, "out-"));
    const io = fakeIo();
    const code = await main(
      [
        "replay",
        original,
        "--config",
        EXAMPLE_CONFIG,
        "--store",
        path,
        "--sink",
        "local",
        "--out",
        outDir,
      ],
      io,
    );
    const out = io.out();
    expect(code, out).toBe(0);
    const { parse } = await import("yaml");
    const printed = parse(out) as {
      eventID: string;
      answer: { status: number };
      deliveries: { state: string }[];
    };
    expect(printed.answer.status).toBe(202);
    expect(printed.deliveries.map((d) => d.state)).toEqual(["delivered"]);

    const journal = createSqliteJournal({ path });
    try {
      for (const id of [original, other]) {
        const runs = await journal.getRuns(id);
        expect(runs.map((r) => [r.state, r.attempts])).toEqual([["pending", 0]]);
      }
      const written = await readWritten(outDir);
      expect(written.map((w) => w.labels[EVENT_ID_LABEL])).toEqual([printed.eventID]);
    } finally {
      await journal.close();
    }
  });

  it("leaves the claims a running server holds on the journal's other runs", async () => {
    const path = join(dir, "claimed.db");
    const app = await createTestApp(EXAMPLE_CONFIG, {
      journal: createSqliteJournal({ path }),
      sink: unreachableCluster,
    });
    let original: string;
    try {
      original = await pushWhileClusterDown(app);
      await pushWhileClusterDown(app);
    } finally {
      await app.close();
    }
    // The live server: its worker has claimed both runs and is delivering them.
    const server = createSqliteJournal({ path });
    try {
      const inFlight = await server.claimDueRuns(new Date(), 10, 60_000);
      expect(inFlight).toHaveLength(2);

      const io = fakeIo();
      const code = await main(
        ["replay", original, "--config", EXAMPLE_CONFIG, "--store", path, "--sink", "local"].concat(
          ["--out", mkdtempSync(join(dir, "out-"))],
        ),
        io,
      );
      expect(code, io.out()).toBe(0);

      // Still claimed: no worker may take them again, and the server's saves still count.
      expect(await server.claimDueRuns(new Date(), 10, 60_000)).toEqual([]);
      for (const run of inFlight) {
        expect(await server.saveRun({ ...run, state: "delivered", attempts: 1 })).toEqual({
          kind: "saved",
        });
      }
    } finally {
      await server.close();
    }
  });

  it("refuses a sink it does not know", async () => {
    const io = fakeIo();
    const code = await main(["replay", "some-id", "--sink", "s3", "--store", "memory"], io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(/invalid sink "s3"/);
  });
});

async function readWritten(outDir: string): Promise<{ labels: Record<string, string> }[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const { parse } = await import("yaml");
  const files = (await readdir(outDir, { recursive: true, withFileTypes: true })).filter(
    (e) => e.isFile() && e.name.endsWith(".yaml"),
  );
  return Promise.all(
    files.map(async (f) => {
      const doc = parse(await readFile(join(f.parentPath, f.name), "utf8")) as {
        metadata: { labels: Record<string, string> };
      };
      return { labels: doc.metadata.labels };
    }),
  );
}
