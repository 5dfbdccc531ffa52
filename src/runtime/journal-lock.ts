import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from "node:fs";
import { dirname } from "node:path";

/** A held lock on an SQLite journal: `release()` removes the lock file (if it is still ours). */
export interface JournalLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes `JOURNAL.lock` for one `serve` on an SQLite journal file: the file is created exclusively
 * and holds this process's pid. A lock whose pid is not running (a server that crashed or was
 * killed) is stale and taken over; a live one stops start-up with a message naming the pid. Only
 * `serve` takes it, and only its holder voids the claims left in the file (open-journal.ts) —
 * replay shares the journal with a running server on purpose and leaves its claims, and
 * PostgreSQL is shared by replicas on purpose.
 *
 * Two servers taking over the same stale lock at the same instant may both succeed (the remove
 * and the create are two steps); after a crash that needs two start-ups within microseconds.
 */
export function acquireJournalLock(journalPath: string): JournalLock {
  const path = `${journalPath}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  if (!tryCreate(path)) {
    const holder = readHolder(path);
    if (holder !== undefined && isRunning(holder)) {
      throw new Error(
        `the journal ${journalPath} is in use by another hookline serve (pid ${holder}; lock file ${path}): stop it, or give this one its own --store (PostgreSQL serves several replicas on one journal)`,
      );
    }
    // Stale: its process is gone (or the file is not ours to read as a pid).
    unlinkSync(path);
    if (!tryCreate(path)) {
      throw new Error(
        `the journal ${journalPath} was locked by another hookline serve starting at the same time (lock file ${path})`,
      );
    }
  }
  return {
    path,
    release(): void {
      // Only our own file: a lock taken over meanwhile (it should not be) is left alone.
      if (readHolder(path) === process.pid) unlinkSync(path);
    },
  };
}

/** Creates the lock file with our pid; false when it exists. */
function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined; // Gone (released meanwhile) or unreadable: nobody we can name holds it.
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process with this pid runs (signal 0 checks without sending anything). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
