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
