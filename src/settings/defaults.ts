/** GitHub's own cap on a webhook body: the default `--max-body` / HOOKLINE_MAX_BODY. */
export const DEFAULT_MAX_BODY = 25 * 1024 * 1024;
/** A trigger still running after this long is recorded as timed out (under GitHub's 10 s). */
export const DEFAULT_DEADLINE_MS = 8_000;
/** Tekton's TimeoutHandler: past this the sender gets 503 and Tekton's text. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Finished events older than this are pruned (`--retention` / HOOKLINE_RETENTION). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;
