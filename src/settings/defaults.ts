/** GitHub's own cap on a webhook body: the default `--max-body` / HOOKLINE_MAX_BODY. */
export const DEFAULT_MAX_BODY = 25 * 1024 * 1024;
/** A trigger still running after this long is recorded as timed out (under GitHub's 10 s). */
export const DEFAULT_DEADLINE_MS = 8_000;
/** Tekton's TimeoutHandler: past this the sender gets 503 and Tekton's text. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Tekton's EventListener: the request line and headers must have arrived within this. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node checks the header and request timeouts of open connections (its default: 30 s). */
export const CONNECTIONS_CHECK_MS = 1_000;
/** Bytes of request bodies held at once by requests not yet answered (HOOKLINE_BODY_BUDGET). */
export const DEFAULT_BODY_BUDGET = 64 * 1024 * 1024;
/** Request bodies being received at once from one source address (HOOKLINE_BODIES_PER_SOURCE). */
export const DEFAULT_BODIES_PER_SOURCE = 8;
/** What a 503 for a spent body budget tells the sender to wait, in seconds. */
export const BUSY_RETRY_AFTER_S = 2;
