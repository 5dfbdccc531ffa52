import type { RateLimit } from "../concurrency/token-bucket.js";
import { ANNOTATION_RATE_LIMIT } from "../concurrency/types.js";

const PERIODS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };
const FORM = /^([1-9][0-9]{0,8})\/([smh])$/;

/** What a bad value is told: the forms that are valid. */
export const RATE_LIMIT_FORMS =
  'a positive count per second, minute or hour: "5/s", "20/m", "100/h"';

/**
 * `hookline.dev/rate-limit`'s value → a RateLimit, or a message saying what is wrong (the caller
 * places it at the annotation's file:line:col).
 *
 * @example parseRateLimit("20/m") // { text: "20/m", count: 20, periodMs: 60000 }
 */
export function parseRateLimit(value: string): RateLimit | { error: string } {
  const m = FORM.exec(value.trim());
  const period = m?.[2] === undefined ? undefined : PERIODS[m[2]];
  if (m?.[1] === undefined || m[2] === undefined || period === undefined)
    return { error: `invalid rate limit "${value}": must be ${RATE_LIMIT_FORMS}` };
  const count = Number(m[1]);
  return { text: `${count}/${m[2]}`, count, periodMs: period };
}

/**
 * The rate limit an object's annotations declare, for the compiled config; undefined when there
 * is none, or when the value is bad (decode reported that at its file:line:col already).
 */
export function rateLimitOf(annotations: Readonly<Record<string, string>>): RateLimit | undefined {
  const value = annotations[ANNOTATION_RATE_LIMIT];
  if (value === undefined) return undefined;
  const parsed = parseRateLimit(value);
  return "error" in parsed ? undefined : parsed;
}
