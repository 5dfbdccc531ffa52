import type { TriggerOutcome } from "./types.js";

/**
 * A timed-out trigger in words, naming what it was waiting for when the deadline passed.
 * @example describeTimedOut({ kind: "timedOut", afterMs: 8000, interceptor: "owners", url: "https://owners.tools.svc:8443/" })
 * // "timed out after 8000 ms waiting for interceptor owners (https://owners.tools.svc:8443/)"
 */
export function describeTimedOut(o: Extract<TriggerOutcome, { kind: "timedOut" }>): string {
  const after = `timed out after ${o.afterMs} ms`;
  if (o.interceptor === undefined) return after;
  return `${after} waiting for interceptor ${o.interceptor}${o.url === undefined ? "" : ` (${o.url})`}`;
}
