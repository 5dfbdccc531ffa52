import { describe, expect, it } from "vitest";
import { createEventBudget, eventBudgetLimits } from "../../../src/interceptors/public.js";

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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

  it("does not pause an event that has worked less than a slice", async () => {
    const budget = createEventBudget();
    budget.spend(199_999, 4.9);
    const order: string[] = [];
    const paused = budget.pause().then(() => order.push("event"));
    setImmediate(() => order.push("loop"));
    await paused;
    await turn();
    expect(order).toEqual(["event", "loop"]);
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
      await budget.pause().then(() => order.push("event"));
      expect(order).toEqual(["loop", "event"]);
      // The slice starts again: the next pause is free.
      const again = budget.pause().then(() => order.push("again"));
      setImmediate(() => order.push("loop 2"));
      await again;
      expect(order).toEqual(["loop", "event", "again"]);
      await turn();
    },
  );

  it("lets waiting events go one per turn of the loop, first come first served", async () => {
    const a = createEventBudget({ sliceSteps: 1 });
    const b = createEventBudget({ sliceSteps: 1 });
    a.spend(1, 0);
    b.spend(1, 0);
    const order: string[] = [];
    const both = Promise.all([
      a.pause().then(() => order.push("a")),
      b.pause().then(() => order.push("b")),
    ]);
    setImmediate(() => order.push("loop"));
    await both;
    expect(order).toEqual(["a", "loop", "b"]);
  });
});
