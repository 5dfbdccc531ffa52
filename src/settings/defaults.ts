/** GitHub's own cap on a webhook body: the default `--max-body` / HOOKLINE_MAX_BODY. */
export const DEFAULT_MAX_BODY = 25 * 1024 * 1024;
/** A trigger still running after this long is recorded as timed out (under GitHub's 10 s). */
export const DEFAULT_DEADLINE_MS = 8_000;
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
