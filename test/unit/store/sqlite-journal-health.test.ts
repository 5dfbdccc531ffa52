import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { describeSqliteFailure } from "../../../src/store/sqlite/describe-sqlite-failure.js";
import { createSqliteJournal } from "../../../src/store/sqlite/sqlite-journal.js";
import type { Journal } from "../../../src/store/types.js";
import { makeEvent } from "./journal-contract.js";

/**
 * The journal refusing writes, for real: another connection holds the file's write lock (as a
 * second process on the same file, or a backup, would), so every write fails with SQLITE_BUSY
 * while reads still work — `ping` alone says ready. (The tests run as root, so a read-only mode
 * on the file would not stop them.)
 */
const dir = mkdtempSync(join(tmpdir(), "hookline-sqlite-health-"));
let n = 0;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function journalAt(probeIntervalMs: number): { journal: Journal; lock: () => () => void } {
  const path = join(dir, `journal-${++n}.db`);
  const journal = createSqliteJournal({ path, busyTimeoutMs: 10, probeIntervalMs });
  const other = new Database(path);
  open.push(journal, other);
  return {
    journal,
    lock: () => {
      other.exec("BEGIN IMMEDIATE");
      return () => other.exec("ROLLBACK");
    },
  };
}

describe("sqlite journal: health", () => {
  it("is not ready while the last record failed to be written, ready after one succeeds", async () => {
    const { journal, lock } = journalAt(3_600_000); // no probe after the first: records decide
    await expect(journal.health()).resolves.toEqual({ ready: true });
    const unlock = lock();
    // Nothing was written since: a read still works, so readiness cannot know yet.
    await expect(journal.health()).resolves.toEqual({ ready: true });
    await expect(journal.record(makeEvent(), [])).rejects.toThrow();
    await expect(journal.ping()).resolves.toBe(true);
    await expect(journal.health()).resolves.toEqual({
      ready: false,
      reason: "the journal's database is locked by another writer (SQLITE_BUSY)",
    });
    unlock();
    await expect(journal.health()).resolves.toMatchObject({ ready: false });
    await expect(journal.record(makeEvent(), [])).resolves.toEqual({ kind: "stored" });
    await expect(journal.health()).resolves.toEqual({ ready: true });
  });

  it("sees a refused write with no traffic (the probe), and recovers the same way", async () => {
    const { journal, lock } = journalAt(0);
    const unlock = lock();
    await expect(journal.health()).resolves.toEqual({
      ready: false,
      reason: "the journal's database is locked by another writer (SQLITE_BUSY)",
    });
    unlock();
    await expect(journal.health()).resolves.toEqual({ ready: true });
  });
});

describe("describeSqliteFailure", () => {
  const db = new Database(":memory:");
  afterAll(() => db.close());
  const errorOf = (work: () => unknown): unknown => {
    try {
      work();
    } catch (err) {
      return err;
    }
    throw new Error("no error");
  };

  it.each([
    {
      name: "read-only",
      prepare: () => db.pragma("query_only = ON"),
      work: () => db.exec("CREATE TABLE t (x)"),
      reason: "the journal's database is read-only (SQLITE_READONLY)",
    },
    {
      name: "full (max_page_count reached)",
      prepare: () => {
        db.pragma("query_only = OFF");
        db.exec("CREATE TABLE big (x)");
        db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true }) as number}`);
      },
      work: () => db.prepare("INSERT INTO big VALUES (?)").run(Buffer.alloc(100_000)),
      reason: "the journal's disk is full (SQLITE_FULL)",
    },
  ])("names the store's refusal: $name", ({ prepare, work, reason }) => {
    prepare();
    expect(describeSqliteFailure(errorOf(work))).toBe(reason);
  });

  it("says nothing for a record's own failure or a non-SQLite error", () => {
    const mem = new Database(":memory:");
    mem.exec("CREATE TABLE u (x PRIMARY KEY); INSERT INTO u VALUES (1)");
    expect(describeSqliteFailure(errorOf(() => mem.exec("INSERT INTO u VALUES (1)")))).toBe(
      undefined,
    );
    mem.close();
    expect(describeSqliteFailure(new TypeError("x"))).toBe(undefined);
  });
});
