import { HooklineError } from "../errors/hookline-error.js";
import type { EventCountQuery } from "../store/types.js";

/** The spans the list page's chart offers: the last hour by minute, the last day by half hour. */
export const CHART_RANGES = {
  hour: { bucketMs: 60_000, buckets: 60 },
  day: { bucketMs: 30 * 60_000, buckets: 48 },
} as const;

export type ChartRange = keyof typeof CHART_RANGES;

const RANGE_NAMES = Object.keys(CHART_RANGES) as ChartRange[];

/** `range` from a query string (default `hour`); throws HL_ADMIN_BAD_REQUEST naming the values. */
export function parseChartRange(value: unknown): ChartRange {
  if (value === undefined || value === "") return "hour";
  const range = RANGE_NAMES.find((r) => r === value);
  if (range === undefined)
    throw new HooklineError("HL_ADMIN_BAD_REQUEST", `range must be ${RANGE_NAMES.join(" or ")}`);
  return range;
}

/**
 * The range ending with the span that holds `now`, on span boundaries (so two loads a few
 * seconds apart draw the same bars).
 */
export function chartQuery(
  range: ChartRange,
  now: Date,
  listener: EventCountQuery["listener"],
): EventCountQuery {
  const { bucketMs, buckets } = CHART_RANGES[range];
  const currentStart = Math.floor(now.getTime() / bucketMs) * bucketMs;
  const query: EventCountQuery = {
    since: new Date(currentStart - (buckets - 1) * bucketMs),
    bucketMs,
    buckets,
  };
  if (listener !== undefined) query.listener = listener;
  return query;
}
