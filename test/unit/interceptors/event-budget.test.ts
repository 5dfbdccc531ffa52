import { beforeEach, describe, expect, it } from "vitest";
import {
  createEventBudget,
  eventBudgetLimits,
  type EventBudget,
} from "../../../src/interceptors/public.js";

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** The budget's pause as a promise (undefined, "go on at once", resolves in a microtask). */
const paused = async (budget: EventBudget): Promise<void> => budget.pause();

// The loop's turn counter is shared by all events: let the loop go round between tests.
beforeEach(async () => {
  await createEventBudget({ sliceSteps: 0 }).pause();
});

describe("createEventBudget", () => {
  it("starts from the documented defaults and counts down, never below 0", () => {
    const budget = createEventBudget();
    expect(budget.limits).toEqual(eventBudgetLimits);
    expect(eventBudgetLimits).toEqual({
      maxSteps: 10_000_000,
      maxMillis: 500,
      sliceMillis: 5,
      sliceSteps: 200_000,
    });
    budget.spend(4_000_000, 100);
    expect([budget.remainingSteps, budget.remainingMillis]).toEqual([6_000_000, 400]);
    budget.spend(7_000_000, 450);
    expect([budget.remainingSteps, budget.remainingMillis]).toEqual([0, 0]);
  });

  it("lets a fresh event, or one that has worked less than a slice, go on at once", () => {
    const budget = createEventBudget();
    expect(budget.pause()).toBeUndefined();
    budget.spend(199_999, 4.9);
    expect(budget.pause()).toBeUndefined();
  });

  it.each([
    { name: "steps", steps: 200_000, millis: 0 },
    { name: "time", steps: 0, millis: 5 },
  ])(
    "pauses for a turn of the loop after a slice of $name, then starts a new slice",
    async ({ steps, millis }) => {
      const budget = createEventBudget();
      budget.spend(steps, millis);
      const order: string[] = [];
      setImmediate(() => order.push("loop"));
      await paused(budget).then(() => order.push("event"));
      expect(order).toEqual(["loop", "event"]);
      expect(budget.pause()).toBeUndefined(); // a new slice
    },
  );

  it("pauses an event that has worked once the loop's turn has had a slice of work, but never a fresh or cheap one", async () => {
    const busy = createEventBudget();
    const worked = createEventBudget();
    const cheap = createEventBudget();
    worked.spend(40_000, 0.1); // a fifth of a slice
    cheap.spend(38_999, 0.8); // under a fifth of a slice, in steps and in time
    busy.spend(90_000, 0);
    const fresh = createEventBudget();
    expect(fresh.pause()).toBeUndefined();
    expect(worked.pause()).toBeUndefined();
    busy.spend(30_000, 0); // 198,999 steps in this turn, by all events together
    expect(worked.pause()).toBeUndefined();
    cheap.spend(1, 0.1); // cheap: 39,000 steps, 0.9 ms
    busy.spend(1_000, 0); // 200,000 steps: the turn has had a slice
    expect(fresh.pause()).toBeUndefined();
    expect(cheap.pause()).toBeUndefined();
    const order: string[] = [];
    setImmediate(() => order.push("loop"));
    await paused(worked).then(() => order.push("worked"));
    expect(order).toEqual(["loop", "worked"]);
  });

  it("lets waiting events go one per turn of the loop, the one that has used least first", async () => {
    const a = createEventBudget({ sliceSteps: 1 });
    const b = createEventBudget({ sliceSteps: 1 });
    const c = createEventBudget({ sliceSteps: 1 });
    a.spend(1, 3);
    b.spend(1, 1);
    c.spend(1, 3);
    const order: string[] = [];
    const all = Promise.all([
      paused(a).then(() => order.push("a")),
      paused(b).then(() => order.push("b")),
      paused(c).then(() => order.push("c")),
    ]);
    setImmediate(() => order.push("loop"));
    await all;
    expect(order).toEqual(["b", "loop", "a", "c"]);
    await turn();
  });
});
