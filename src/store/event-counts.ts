import type { EventCountBucket, EventCountQuery, EventOutcome } from "./types.js";

/** Every outcome at zero: the chart shows each, and a new outcome must be added here. */
export function zeroCounts(): Record<EventOutcome, number> {
  return {
    fired: 0,
    filtered: 0,
    rejected: 0,
    failed: 0,
    duplicate: 0,
    invalid: 0,
    rate_limited: 0,
  };
}

/** The end of a query's range (exclusive). */
export function countsUntil(query: EventCountQuery): Date {
  return new Date(query.since.getTime() + query.bucketMs * query.buckets);
}

/** Which span a receive time falls in, or undefined outside the range. */
export function bucketIndex(query: EventCountQuery, receivedAt: number): number | undefined {
  const i = Math.floor((receivedAt - query.since.getTime()) / query.bucketMs);
  return i >= 0 && i < query.buckets ? i : undefined;
}

/**
 * Dense buckets from a store's grouped rows (span index, outcome, count). Rows outside the range
 * or of an outcome this version does not know are left out.
 */
export function toEventCountBuckets(
  query: EventCountQuery,
  rows: Iterable<{ bucket: number; outcome: string; n: number }>,
): EventCountBucket[] {
  const buckets = Array.from({ length: query.buckets }, (_, i) => ({
    start: new Date(query.since.getTime() + i * query.bucketMs),
    counts: zeroCounts(),
  }));
  for (const row of rows) {
    const counts = buckets[row.bucket]?.counts;
    if (counts !== undefined && Object.hasOwn(counts, row.outcome))
      counts[row.outcome as EventOutcome] += row.n;
  }
  return buckets;
}
