import { join } from "node:path";
import type { Journal } from "./types.js";
import { createMemoryJournal } from "./memory-journal.js";
import { createSqliteJournal } from "./sqlite/sqlite-journal.js";

/** How many events `HOOKLINE_STORE=memory` keeps (older finished ones are dropped). */
export const MEMORY_MAX_EVENTS = 10_000;

/** The default: an SQLite file under ./data, beside where hookline runs. */
export const DEFAULT_STORE = join("data", "hookline.db");

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
 * SQLite file path (`sqlite:` prefix optional). Secrets in a URL never reach a message.
 */
export async function createJournal(
  spec: string | undefined,
  options: OpenOptions = {},
): Promise<Journal> {
  const value = spec === undefined || spec === "" ? DEFAULT_STORE : spec;
  if (/^postgres(ql)?:\/\//.test(value)) {
    const { createPostgresJournal } = await import("./postgres/postgres-journal.js");
    return createPostgresJournal({ url: value });
  }
  // Nothing survives a restart; the newest events stay for the event log and dedup.
  if (value === "memory") return createMemoryJournal({ maxEvents: MEMORY_MAX_EVENTS });
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
