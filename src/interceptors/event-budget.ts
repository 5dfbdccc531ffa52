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
  // About 5 ms of cel work at ~25 ns per step: how much an event, or the loop's current turn, may
  // do before an event pauses (plus the expression it is in: at most that expression's 100 ms).
  sliceMillis: 5,
  sliceSteps: 200_000,
};

const defaultLimits: Partial<EventBudgetLimits> = {};

/** The share of a slice below which an event is cheap, and is not paused for a busy loop. */
const CHEAP_SHARE = 0.2;

/**
 * A fresh budget for one event. `limits` defaults to `eventBudgetLimits`; pass
 * `{ maxSteps: Infinity, maxMillis: Infinity }` (and any slice) for an unlimited one.
 * @example const budget = createEventBudget(); budget.spend(120, 0.01); await budget.pause();
 */
export function createEventBudget(limits: Partial<EventBudgetLimits> = defaultLimits): EventBudget {
  return new Budget(
    limits === defaultLimits ? eventBudgetLimits : { ...eventBudgetLimits, ...limits },
  );
}

/** A class rather than a closure: one is made per event, on the hot path. */
class Budget implements EventBudget {
  private steps = 0;
  private millis = 0;
  private sliceSteps = 0;
  private sliceMillis = 0;
  constructor(readonly limits: EventBudgetLimits) {}

  get remainingSteps(): number {
    return Math.max(0, this.limits.maxSteps - this.steps);
  }

  get remainingMillis(): number {
    return Math.max(0, this.limits.maxMillis - this.millis);
  }

  spend(steps: number, millis: number): void {
    this.steps += steps;
    this.millis += millis;
    this.sliceSteps += steps;
    this.sliceMillis += millis;
    countInTurn(steps, millis);
  }

  pause(): Promise<void> | undefined {
    const { sliceSteps, sliceMillis } = this.limits;
    const eventWorked = this.sliceSteps >= sliceSteps || this.sliceMillis >= sliceMillis;
    // A cheap event (fresh, or one that has used less than a fifth of a slice in all) never waits
    // for a busy loop: it must not queue behind expensive ones. Under load a turn's count passes a
    // slice with cheap events alone (a hundred events of three ~20 µs expressions, and a GC pause
    // inside one): making them wait, one let go per turn, gave waits of a second at 100 connections.
    const loopBusy =
      (this.steps >= sliceSteps * CHEAP_SHARE || this.millis >= sliceMillis * CHEAP_SHARE) &&
      (turn.steps >= sliceSteps || turn.millis >= sliceMillis);
    if (!eventWorked && !loopBusy) return undefined;
    return takeTurn(this.millis).then(() => {
      this.sliceSteps = 0;
      this.sliceMillis = 0;
    });
  }
}

/**
 * The cel work done since the loop last went round (the last release below): once it is a slice,
 * every event that has already worked pauses, so that the loop gets to poll for I/O and run timers.
 */
const turn = { steps: 0, millis: 0, resetScheduled: false };

/** Adds to the current turn's work; the count starts again when the loop goes round. */
function countInTurn(steps: number, millis: number): void {
  turn.steps += steps;
  turn.millis += millis;
  if (turn.resetScheduled) return;
  turn.resetScheduled = true;
  setImmediate(() => {
    turn.steps = 0;
    turn.millis = 0;
    turn.resetScheduled = false;
  });
}

interface Waiter {
  /** The waiting event's CPU time so far: the event that has used least goes first. */
  readonly used: number;
  readonly order: number;
  readonly resolve: () => void;
}

/**
 * Events waiting for a turn. One is let go per turn of the event loop (a `setImmediate` callback;
 * the next one is scheduled from inside it, so it runs after the loop has polled for I/O and run
 * its timers again), the one that has used least CPU first (in arrival order among equals). An
 * event that has just arrived does not wait at all, and waits for at most the expression running
 * when it arrived; an expensive event delays mainly itself.
 */
const waiting: Waiter[] = [];
let arrivals = 0;
let releasing = false;

function takeTurn(used: number): Promise<void> {
  const turnTaken = new Promise<void>((resolve) =>
    waiting.push({ used, order: arrivals++, resolve }),
  );
  if (!releasing) {
    releasing = true;
    void releaseNext();
  }
  return turnTaken;
}

async function releaseNext(): Promise<void> {
  while (waiting.length > 0) {
    await nextTurn();
    turn.steps = 0;
    turn.millis = 0;
    let next = 0;
    for (let i = 1; i < waiting.length; i++) {
      const w = waiting[i];
      const best = waiting[next];
      if (w !== undefined && best !== undefined && w.used < best.used) next = i;
    }
    waiting.splice(next, 1)[0]?.resolve();
  }
  releasing = false;
}
