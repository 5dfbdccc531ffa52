import pg from "pg";

/**
 * SQLSTATE classes about one record only (a value, a constraint, a size limit) or a conflict with
 * another writer that `record` already retried: they say nothing of whether the store takes writes.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const RECORDS_OWN = new Set(["22", "23", "40", "54"]);

const REASONS: Record<string, string> = {
  "25006": "PostgreSQL refuses writes (read-only transaction)",
  "53100": "PostgreSQL's disk is full",
  "42501": "PostgreSQL does not let the journal's role write",
};
const CLASS_REASONS: Record<string, string> = {
  "08": "the connection to PostgreSQL failed",
  "25": "PostgreSQL refuses the write transaction",
  "53": "PostgreSQL is out of resources",
  "57": "PostgreSQL is shutting down or not accepting connections",
  "58": "PostgreSQL cannot write (system error)",
};

/**
 * Why PostgreSQL refused a write, for /ready: a fixed text and the SQLSTATE or socket error code,
 * never the driver's message (it can name a host, a user or a value); undefined when the error is
 * the record's own or a bug of ours (a TypeError).
 */
export function describePostgresFailure(err: unknown): string | undefined {
  if (err instanceof pg.DatabaseError) {
    const code = err.code ?? "";
    const cls = code.slice(0, 2);
    if (RECORDS_OWN.has(cls)) return undefined;
    return `${REASONS[code] ?? CLASS_REASONS[cls] ?? "PostgreSQL refused a write"} (${code})`;
  }
  if (err instanceof TypeError || err instanceof RangeError || !(err instanceof Error))
    return undefined;
  // Socket errors carry a code (ECONNREFUSED); the pool's own ("Connection terminated
  // unexpectedly", "timeout exceeded when trying to connect") carry none.
  const { code } = err as NodeJS.ErrnoException;
  return typeof code === "string" && /^E[A-Z]+$/.test(code)
    ? `PostgreSQL cannot be reached (${code})`
    : "PostgreSQL cannot be reached";
}
