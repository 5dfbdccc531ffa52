import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireJournalLock } from "../../../src/runtime/journal-lock.js";

/** The pid of a process that has exited (a node that did nothing). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (child.pid === undefined) throw new Error("no child pid");
  return child.pid;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hookline-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("acquireJournalLock", () => {
  it("writes this pid to JOURNAL.lock, refuses a second taker naming it, and frees it on release", () => {
    const journal = join(dir, "data", "hookline.db");
    const lock = acquireJournalLock(journal);
    expect(readFileSync(`${journal}.lock`, "utf8").trim()).toBe(String(process.pid));
    expect(() => acquireJournalLock(journal)).toThrow(
      new RegExp(
        `in use by another hookline serve \\(pid ${process.pid}; lock file .*hookline\\.db\\.lock\\)`,
      ),
    );
    lock.release();
    expect(existsSync(`${journal}.lock`)).toBe(false);
    acquireJournalLock(journal).release();
  });

  it.each([
    { name: "a dead pid", content: () => `${deadPid()}\n` },
    { name: "no pid at all", content: () => "" },
  ])("takes over a stale lock holding $name", ({ content }) => {
    const journal = join(dir, "hookline.db");
    writeFileSync(`${journal}.lock`, content());
    const lock = acquireJournalLock(journal);
    expect(readFileSync(`${journal}.lock`, "utf8").trim()).toBe(String(process.pid));
    lock.release();
  });

  it("leaves a lock that is no longer its own", () => {
    const journal = join(dir, "hookline.db");
    const lock = acquireJournalLock(journal);
    writeFileSync(`${journal}.lock`, "1\n");
    lock.release();
    expect(readFileSync(`${journal}.lock`, "utf8")).toBe("1\n");
  });
});
