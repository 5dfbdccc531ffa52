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
