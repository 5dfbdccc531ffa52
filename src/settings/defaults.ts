/** GitHub's own cap on a webhook body: the default `--max-body` / HOOKLINE_MAX_BODY. */
export const DEFAULT_MAX_BODY = 25 * 1024 * 1024;
/** A trigger still running after this long is recorded as timed out (under GitHub's 10 s). */
export const DEFAULT_DEADLINE_MS = 8_000;
/**
 * Metadata-only journal rows (requests that no trigger authenticated and that fired nothing) kept
 * per window: per listener, and per source address; past either, the row is dropped and
 * `hookline_unauthenticated_dropped_total` counts it. The sender's answer is the same.
 */
export const UNAUTHENTICATED_ROWS_PER_LISTENER = 100;
export const UNAUTHENTICATED_ROWS_PER_SOURCE = 20;
export const UNAUTHENTICATED_WINDOW_MS = 60_000;
/** Source addresses counted per window at most; past it, a new address's rows are dropped. */
export const UNAUTHENTICATED_MAX_SOURCES = 10_000;
/** Tekton's TimeoutHandler: past this the sender gets 503 and Tekton's text. */
export const REQUEST_TIMEOUT_MS = 30_000;
/**
 * /ready makes a probe write into the journal when nothing was written for this long (and, while
 * writes fail, at most this often), so that a read-only or full journal is seen without traffic.
 */
export const JOURNAL_PROBE_INTERVAL_MS = 5_000;
/** One config file may hold at most this much; a bigger one is a document error (never read). */
export const CONFIG_MAX_FILE_BYTES = 4 * 1024 * 1024;
/** A config directory's files together may hold at most this much (a document error). */
export const CONFIG_MAX_DIR_BYTES = 32 * 1024 * 1024;
/** A config load (start, reload) gives the event loop a turn after this much work, at the latest. */
export const CONFIG_LOAD_SLICE_MS = 10;
/** Finished events older than this are pruned (`--retention` / HOOKLINE_RETENTION). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;
/** Tekton's EventListener: the request line and headers must have arrived within this. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node checks the header and request timeouts of open connections (its default: 30 s). */
export const CONNECTIONS_CHECK_MS = 1_000;
/** The filtered events' bodies the journal keeps at most (HOOKLINE_JOURNAL_FILTERED_MAX). */
export const DEFAULT_JOURNAL_FILTERED_MAX = 256 * 1024 * 1024;
/** How often the journal's sizes are read and its filtered budget enforced. */
export const JOURNAL_BUDGET_CHECK_MS = 30_000;
/** Bytes of request bodies held at once by requests not yet answered (HOOKLINE_BODY_BUDGET). */
export const DEFAULT_BODY_BUDGET = 64 * 1024 * 1024;
/** Request bodies being received at once from one source address (HOOKLINE_BODIES_PER_SOURCE). */
export const DEFAULT_BODIES_PER_SOURCE = 8;
/** What a 503 for a spent body budget tells the sender to wait, in seconds. */
export const BUSY_RETRY_AFTER_S = 2;
