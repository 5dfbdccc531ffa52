/**
 * The TriggerTemplate entry that calls an HTTP endpoint instead of creating an object
 * (`apiVersion: hookline.dev/v1alpha1`, `kind: HTTPRequest`): its names and limits, shared by the
 * stages that check, plan, store and send it.
 */
export const HTTP_REQUEST_KIND = "HTTPRequest";

export const HTTP_REQUEST_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpRequestMethod = (typeof HTTP_REQUEST_METHODS)[number];

/** The header every attempt carries, the delivery key: the same on every retry of one delivery. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

/** `timeout` when the entry sets none, and the longest allowed (a run's claim lasts 60 s). */
export const DEFAULT_HTTP_REQUEST_TIMEOUT_MS = 10_000;
export const MAX_HTTP_REQUEST_TIMEOUT_MS = 30_000;

/** How much of an answer's body is kept in the journal and shown. */
export const HTTP_ANSWER_KEPT_BYTES = 2048;

/**
 * Header names whose value is a credential: a literal value for one is refused at load (it would
 * be stored and shown); it must come from a `secretRef`.
 */
export const CREDENTIAL_HEADER = /authorization|token|secret|api-?key|cookie|password/i;

/** `10s`, `500ms`, `1.5s`, `1m` → milliseconds; undefined when it is none of those. */
export function parseHttpRequestTimeout(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000 }[m[2] as "ms" | "s" | "m"];
  return Math.round(Number(m[1]) * unit);
}
