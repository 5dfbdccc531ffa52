export interface BackoffPolicy {
  /** The first retry waits about this long (default 1 s). */
  baseMs: number;
  /** No wait is longer than this (default 10 min). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 10 * 60_000 };

/**
 * Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^(attempt-1))], but
 * never less than what the sink asked for with Retry-After.
 */
export function nextDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}
