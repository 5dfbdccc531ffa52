/**
 * /ready answers 503 while the journal refuses writes, and 200 once it takes them again (issue 11
 * item 10). The journal is an SQLite file whose write lock another connection holds (as a second
 * process on the file would): writes fail with SQLITE_BUSY while reads still work, so a /ready that
 * only reads the journal would say "ready" throughout. (The tests run as root: a read-only mode on
 * the file would not stop them.)
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import request from "supertest";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";
import { createTestApp, type TestApp } from "../support/test-app.js";

const dir = mkdtempSync(join(tmpdir(), "hookline-ready-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PUSH = githubFixture("push");

let app: TestApp | undefined;
let other: Database.Database | undefined;
afterEach(async () => {
  other?.close();
  await app?.close();
  app = undefined;
  other = undefined;
});

async function start(probeIntervalMs: number): Promise<{ app: TestApp; lock: () => () => void }> {
  const path = join(dir, `${randomUUID()}.db`);
  const journal = createSqliteJournal({ path, busyTimeoutMs: 10, probeIntervalMs });
  app = await createTestApp(EXAMPLE_CONFIG, { journal });
  const db = new Database(path);
  other = db;
  return {
    app,
    lock: () => {
      db.exec("BEGIN IMMEDIATE");
      return () => db.exec("ROLLBACK");
    },
  };
}

async function push(t: TestApp): Promise<request.Response> {
  return request(t.server)
    .post("/")
    .set("content-type", "application/json")
    .set("x-github-event", "push")
    .set("x-github-delivery", randomUUID())
    .set("x-hub-signature-256", await signGithub(PUSH, EXAMPLE_SECRET))
    .send(wire(PUSH));
}

const UNAVAILABLE = {
  status: "journal unavailable",
  reason: "the journal's database is locked by another writer (SQLITE_BUSY)",
};

describe("/ready and the journal's writes", () => {
  it("answers 503 after an event could not be stored, and 200 once one is stored again", async () => {
    const { app, lock } = await start(3_600_000); // one probe at the start: the events decide
    expect((await request(app.server).get("/ready")).status).toBe(200);
    const unlock = lock();
    const refused = await push(app);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: "HL_JOURNAL_UNAVAILABLE" });
    const ready = await request(app.server).get("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual(UNAVAILABLE);
    expect((await request(app.server).get("/live")).status).toBe(200);
    unlock();
    expect((await push(app)).status).toBe(202);
    const again = await request(app.server).get("/ready");
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: "ready" });
  });

  it("answers 503 with no traffic while a probe write fails, and 200 once one succeeds", async () => {
    const { app, lock } = await start(0); // a probe write at every /ready
    const unlock = lock();
    const ready = await request(app.server).get("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual(UNAVAILABLE);
    unlock();
    expect((await request(app.server).get("/ready")).status).toBe(200);
    expect((await push(app)).status).toBe(202);
  });
});
