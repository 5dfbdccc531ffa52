/**
 * An answer's `Retry-After` in seconds, as milliseconds; undefined when it is absent, not a
 * positive number, or an HTTP date (the sinks then use their own backoff).
 */
export function retryAfterMs(header: Readonly<Record<string, string[]>>): number | undefined {
  const seconds = Number(header["retry-after"]?.[0]);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
