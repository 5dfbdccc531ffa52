import { describe, expect, it } from "vitest";
import { createRateLimiter, type BucketRef } from "../../../src/concurrency/token-bucket.js";

const perMinute = (count: number, key = "trigger:a"): BucketRef => ({
  key,
  limit: { text: `${count}/m`, count, periodMs: 60_000 },
});

/** A clock the test moves by hand: no timer, no wall clock. */
function fakeClock(start = 1_700_000_000_000): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const takeMany = (take: () => boolean, n: number): number =>
  Array.from({ length: n }, take).filter(Boolean).length;

describe("token bucket", () => {
  it("starts full: a burst of its capacity passes, the next is refused", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(clock.now);
    const ref = perMinute(20);
    expect(takeMany(() => limiter.take(ref), 100)).toBe(20);
    expect(limiter.hasToken(ref)).toBe(false);
  });

  it("refills at count per period: a whole period gives the capacity back, no more", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(clock.now);
    const ref = perMinute(20);
    takeMany(() => limiter.take(ref), 20);
    clock.advance(60_000);
    expect(takeMany(() => limiter.take(ref), 100)).toBe(20);
    // Ten periods idle still hold only the capacity.
    clock.advance(600_000);
    expect(takeMany(() => limiter.take(ref), 100)).toBe(20);
  });

  it("refills continuously: 20/m gives one token every 3 s", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(clock.now);
    const ref = perMinute(20);
    takeMany(() => limiter.take(ref), 20);
    clock.advance(2_999);
    expect(limiter.take(ref)).toBe(false);
    clock.advance(1);
    expect(limiter.take(ref)).toBe(true);
    expect(limiter.take(ref)).toBe(false);
  });

  it("a period cut into odd pieces refills exactly the capacity (no rounding drift)", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(clock.now);
    const ref = { key: "trigger:odd", limit: { text: "7/h", count: 7, periodMs: 3_600_000 } };
    takeMany(() => limiter.take(ref), 7);
    // Each hasToken brings the level up to date: the refill is added piece by piece.
    for (const step of [1, 333_333, 1_266_665, 999_999, 1_000_001, 1]) {
      clock.advance(step);
      limiter.hasToken(ref);
    }
    expect(takeMany(() => limiter.take(ref), 10)).toBe(7);
  });

  it("hasToken takes nothing", () => {
    const limiter = createRateLimiter(fakeClock().now);
    const ref = perMinute(1);
    expect(limiter.hasToken(ref)).toBe(true);
    expect(limiter.hasToken(ref)).toBe(true);
    expect(limiter.take(ref)).toBe(true);
    expect(limiter.hasToken(ref)).toBe(false);
  });

  it("keeps buckets apart by key", () => {
    const limiter = createRateLimiter(fakeClock().now);
    expect(takeMany(() => limiter.take(perMinute(2, "trigger:a")), 5)).toBe(2);
    expect(takeMany(() => limiter.take(perMinute(2, "trigger:b")), 5)).toBe(2);
  });

  it("keeps a bucket while its limit is unchanged (a reload), and starts a full one when it changes", () => {
    const limiter = createRateLimiter(fakeClock().now);
    takeMany(() => limiter.take(perMinute(3)), 3);
    // The same limit from a new config object: still empty.
    expect(limiter.take(perMinute(3))).toBe(false);
    expect(takeMany(() => limiter.take(perMinute(5)), 10)).toBe(5);
  });

  it("a clock that goes back refills nothing", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(clock.now);
    const ref = perMinute(2);
    takeMany(() => limiter.take(ref), 2);
    clock.advance(-60_000);
    expect(limiter.take(ref)).toBe(false);
    clock.advance(60_000);
    expect(limiter.take(ref)).toBe(false);
  });

  it("sweeping full buckets away changes no answer", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(clock.now);
    const hot = perMinute(1, "trigger:hot");
    expect(limiter.take(hot)).toBe(true);
    // Enough takes on other keys to sweep a few times; the empty bucket is kept.
    for (let i = 0; i < 5000; i++) limiter.take(perMinute(1_000_000, `trigger:${i % 7}`));
    expect(limiter.take(hot)).toBe(false);
  });
});
