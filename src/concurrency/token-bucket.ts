/**
 * `hookline.dev/rate-limit` (issue 12): token buckets, in memory, one per rate-limited Trigger and
 * one per rate-limited EventListener. A bucket holds at most `count` tokens and refills
 * continuously at `count` per period, so `20/m` lets a burst of 20 through and then one every 3 s.
 * The buckets are this process's: with N replicas, the limit is per replica.
 */

/** A parsed `N/s`, `N/m` or `N/h` (src/config/parse-rate-limit.ts). */
export interface RateLimit {
  /** As written, normalised (`20/m`): the page, the metrics and the trace show it. */
  text: string;
  /** Tokens per period, and the bucket's capacity (a positive integer). */
  count: number;
  periodMs: number;
}

/** A clock in ms since the epoch: tests inject a fixed one. */
export type Clock = () => number;

/** What a bucket needs to be decided on: its key and its limit. */
export interface BucketRef {
  /** `trigger:<trigger id>` or `listener:<namespace>/<name>`. */
  key: string;
  limit: RateLimit;
}

/**
 * The process's buckets. `hasToken` and `take` are separate so that a caller can check every
 * bucket an event needs before taking from any (a token is taken only when something fires).
 * A bucket is kept by its key as long as its limit is unchanged (a config reload keeps the
 * buckets of unchanged triggers); a changed limit starts a full bucket.
 */
export interface RateLimiter {
  hasToken(ref: BucketRef): boolean;
  /** Takes one token; false (and nothing taken) when the bucket has none. */
  take(ref: BucketRef): boolean;
}

/**
 * A bucket's level in token-milliseconds, an integer: one token is `periodMs` units, the capacity
 * `count × periodMs` (under 2^53 for any count the parser takes), and `t` ms refill `t × count`.
 * No floating point, so a whole period refills exactly the capacity, however it is cut up.
 */
interface Bucket {
  limit: RateLimit;
  units: number;
  /** The clock when `units` was last brought up to date. */
  at: number;
}

/** Buckets idle this often are swept: a full bucket is the same as none, so it is dropped. */
const SWEEP_EVERY = 1024;

export function createRateLimiter(now: Clock = Date.now): RateLimiter {
  const buckets = new Map<string, Bucket>();
  let calls = 0;

  const current = (ref: BucketRef): Bucket => {
    const t = now();
    const found = buckets.get(ref.key);
    if (found === undefined || !sameLimit(found.limit, ref.limit)) {
      const fresh = { limit: ref.limit, units: capacity(ref.limit), at: t };
      buckets.set(ref.key, fresh);
      return fresh;
    }
    refill(found, t);
    return found;
  };

  const sweep = (): void => {
    if (++calls % SWEEP_EVERY !== 0) return;
    const t = now();
    for (const [key, b] of buckets) {
      refill(b, t);
      if (b.units >= capacity(b.limit)) buckets.delete(key);
    }
  };

  return {
    hasToken: (ref) => current(ref).units >= ref.limit.periodMs,
    take(ref) {
      sweep();
      const b = current(ref);
      if (b.units < b.limit.periodMs) return false;
      b.units -= b.limit.periodMs;
      return true;
    },
  };
}

function capacity(limit: RateLimit): number {
  return limit.count * limit.periodMs;
}

function refill(b: Bucket, t: number): void {
  // A clock that went back (NTP) refills nothing, and takes nothing back either. A long idle
  // spell is cut to one period first, so the product stays an exact integer.
  const elapsed = Math.min(Math.max(0, Math.floor(t - b.at)), b.limit.periodMs);
  b.units = Math.min(capacity(b.limit), b.units + elapsed * b.limit.count);
  b.at = Math.max(b.at, t);
}

function sameLimit(a: RateLimit, b: RateLimit): boolean {
  return a.count === b.count && a.periodMs === b.periodMs;
}
