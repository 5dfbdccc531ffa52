import { join } from "node:path";
import { lazyPackage } from "../core/lazy-package.js";
import type { Journal } from "./types.js";

/** How many events `HOOKLINE_STORE=memory` keeps (older finished ones are dropped). */
export const MEMORY_MAX_EVENTS = 10_000;

/** The default: an SQLite file under ./data, beside where hookline runs. */
export const DEFAULT_STORE = join("data", "hookline.db");

const loadPostgresJournal = lazyPackage(
  "pg",
  "a PostgreSQL journal (postgres:// store)",
  () => import("./postgres/postgres-journal.js"),
);

/** How a process opens the journal. */
export interface OpenOptions {
  /**
   * The caller holds the SQLite file's lock (`serve`): the claims a previous holder left are void
   * (`SqliteJournalOptions.releaseClaims`). PostgreSQL is shared by replicas and never voids
   * claims; the memory journal starts empty.
   */
  holdsLock?: boolean;
}

/**
 * Opens the journal `HOOKLINE_STORE` (or `--store`) names: `postgres://…` or `postgresql://…`
 * for PostgreSQL (several replicas), `memory` for nothing kept (tests, trying things out), else an
 * SQLite file path (`sqlite:` prefix optional). Secrets in a URL never reach a message. Each
 * journal's module (and its driver: better-sqlite3, pg) is imported only when it is opened, so
 * that the commands and modules that merely name the default store do not load a driver.
 */
export async function createJournal(
  spec: string | undefined,
  options: OpenOptions = {},
): Promise<Journal> {
  const value = spec === undefined || spec === "" ? DEFAULT_STORE : spec;
  if (/^postgres(ql)?:\/\//.test(value)) {
    const { createPostgresJournal } = await loadPostgresJournal();
    return createPostgresJournal({ url: value });
  }
  // Nothing survives a restart; the newest events stay for the event log and dedup.
  if (value === "memory") {
    const { createMemoryJournal } = await import("./memory-journal.js");
    return createMemoryJournal({ maxEvents: MEMORY_MAX_EVENTS });
  }
  const { createSqliteJournal } = await import("./sqlite/sqlite-journal.js");
  return createSqliteJournal({
    path: value.replace(/^sqlite:/, ""),
    releaseClaims: options.holdsLock === true,
  });
}

/** A store spec fit for a log line: a URL's password is hidden. */
export function describeStore(spec: string | undefined): string {
  const value = spec === undefined || spec === "" ? DEFAULT_STORE : spec;
  return value.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/, "$1:***@");
}
