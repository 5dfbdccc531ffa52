import Database from "better-sqlite3";

/** Errors about one record only: they say nothing of whether the store takes writes. */
const RECORDS_OWN = new Set([
  "SQLITE_CONSTRAINT",
  "SQLITE_MISMATCH",
  "SQLITE_TOOBIG",
  "SQLITE_RANGE",
]);

const REASONS: Record<string, string> = {
  SQLITE_FULL: "the journal's disk is full",
  SQLITE_READONLY: "the journal's database is read-only",
  SQLITE_BUSY: "the journal's database is locked by another writer",
  SQLITE_LOCKED: "the journal's database is locked by another writer",
  SQLITE_IOERR: "the journal's database cannot be written (I/O error)",
  SQLITE_CANTOPEN: "the journal's database file cannot be opened",
  SQLITE_CORRUPT: "the journal's database file is damaged",
  SQLITE_NOTADB: "the journal's database file is damaged",
};

/**
 * Why SQLite refused a write, for /ready: a fixed text and SQLite's code (the message could name
 * the file's path); undefined when the error is the record's own, or not SQLite's at all.
 */
export function describeSqliteFailure(err: unknown): string | undefined {
  if (!(err instanceof Database.SqliteError)) return undefined;
  // Extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED) belong to their primary code.
  const primary = err.code.split("_").slice(0, 2).join("_");
  if (RECORDS_OWN.has(primary)) return undefined;
  const code = /^SQLITE_[A-Z_]+$/.test(err.code) ? err.code : primary;
  return `${REASONS[primary] ?? "the journal refused a write"} (${code})`;
}
