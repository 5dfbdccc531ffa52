import { setImmediate as nextTurn } from "node:timers/promises";
import type { EventBudget, EventBudgetLimits } from "./types.js";

/**
 * The default budget of one event's CPU-bound interceptor work, across all its triggers (issue 11).
 * A cel expression has its own budget too (2,000,000 steps, 100 ms: interceptors/cel/cel-limits.ts);
 * the event's total is five of those, so a listener with many triggers can still run several
 * expensive filters, while an event cannot hold a CPU for more than about half a second, far
 * under the 8 s decision deadline. Everyday filters use a few dozen steps.
 */
export const eventBudgetLimits: EventBudgetLimits = {
  maxSteps: 10_000_000,
  maxMillis: 500,
  // About 5 ms of cel work at ~25 ns per step: the longest an event holds the loop between pauses,
  // plus the expression it is in (at most its own 100 ms).
  sliceMillis: 5,
  sliceSteps: 200_000,
};

/**
 * A fresh budget for one event. `limits` defaults to `eventBudgetLimits`; pass
 * `{ maxSteps: Infinity, maxMillis: Infinity }` (and any slice) for an unlimited one.
 * @example const budget = createEventBudget(); budget.spend(120, 0.01); await budget.pause();
 */
export function createEventBudget(limits: Partial<EventBudgetLimits> = {}): EventBudget {
  const all: EventBudgetLimits = { ...eventBudgetLimits, ...limits };
  let steps = 0;
  let millis = 0;
  let sliceSteps = 0;
  let sliceMillis = 0;
  return {
    limits: all,
    get remainingSteps() {
      return Math.max(0, all.maxSteps - steps);
    },
    get remainingMillis() {
      return Math.max(0, all.maxMillis - millis);
    },
    spend(s, ms) {
      steps += s;
      millis += ms;
      sliceSteps += s;
      sliceMillis += ms;
    },
    async pause() {
      if (sliceSteps < all.sliceSteps && sliceMillis < all.sliceMillis) return;
      await takeTurn();
      sliceSteps = 0;
      sliceMillis = 0;
    },
  };
}

/**
 * Events waiting for a turn, first come first served. One is let go per turn of the event loop
 * (a `setImmediate` callback; the next one is scheduled from inside it, so it runs after the loop
 * has polled for I/O again): however many expensive events wait, a request that has just arrived
 * waits for at most one of them.
 */
const waiting: (() => void)[] = [];
let releasing = false;

function takeTurn(): Promise<void> {
  const turn = new Promise<void>((resolve) => waiting.push(resolve));
  if (!releasing) {
    releasing = true;
    void releaseNext();
  }
  return turn;
}

async function releaseNext(): Promise<void> {
  while (waiting.length > 0) {
    await nextTurn();
    waiting.shift()?.();
  }
  releasing = false;
}
