import { beforeEach, describe, expect, it } from "vitest";
import { createEventBudget, type InterceptorResponse } from "../../src/interceptors/public.js";
import {
  makeContext,
  makeRequest,
  runInterceptor,
} from "../../test/support/interceptor-harness.js";
import { cel } from "./index.js";

/** About 30,000 steps (6 per element): far under one expression's own 2,000,000 (or 100 ms). */
const EXPENSIVE = "lists.range(5000).all(x, x >= 0)";

function message(res: InterceptorResponse): string {
  return res.continue ? "continued" : `${res.status.code}: ${res.status.message}`;
}

// What all events did in the loop's current turn counts (event-budget.ts): start each test afresh.
beforeEach(async () => {
  await new Promise((resolve) => setImmediate(resolve));
});

describe("the event's cel budget", () => {
  it("is shared by the expressions of an event: the one that runs out fails with RESOURCE_EXHAUSTED", async () => {
    const eventBudget = createEventBudget({ maxSteps: 40_000, maxMillis: Infinity });
    const ctx = makeContext({ eventBudget });
    const res = await runInterceptor(
      cel,
      { filter: EXPENSIVE, overlays: [{ key: "a", expression: EXPENSIVE }] },
      makeRequest({ body: {} }),
      ctx,
    );
    expect(message(res)).toBe(
      `RESOURCE_EXHAUSTED: error evaluating cel expression: expression "${EXPENSIVE}" failed to evaluate: the event's cel budget is used up (more than 40000 evaluation steps across all its triggers)`,
    );
    expect(eventBudget.remainingSteps).toBe(0);

    // Any further cel on the event (another trigger's interceptor) fails at once.
    const later = await runInterceptor(cel, { filter: "true" }, makeRequest({ body: {} }), ctx);
    expect(message(later)).toContain("RESOURCE_EXHAUSTED: ");
    expect(message(later)).toContain("the event's cel budget is used up");
  });

  it("counts time as well as steps", async () => {
    const ctx = makeContext({ eventBudget: createEventBudget({ maxMillis: 0 }) });
    const res = await runInterceptor(
      cel,
      { filter: "body.a == 1.0" },
      makeRequest({ body: { a: 1 } }),
      ctx,
    );
    expect(message(res)).toContain(
      "failed to evaluate: the event's cel budget is used up (more than 0 ms across all its triggers)",
    );
  });

  it("records every expression's steps, and leaves a fresh event's budget alone", async () => {
    const eventBudget = createEventBudget();
    const res = await runInterceptor(
      cel,
      { filter: EXPENSIVE },
      makeRequest({ body: {} }),
      makeContext({ eventBudget }),
    );
    expect(res).toEqual({ continue: true });
    const used = eventBudget.limits.maxSteps - eventBudget.remainingSteps;
    expect(used).toBeGreaterThanOrEqual(30_000);
    expect(eventBudget.remainingMillis).toBeLessThan(eventBudget.limits.maxMillis);
    expect(createEventBudget().remainingSteps).toBe(eventBudget.limits.maxSteps);
  });

  it("keeps each expression's own limit below the event's", async () => {
    const ctx = makeContext({
      eventBudget: createEventBudget({ maxSteps: Infinity, maxMillis: Infinity }),
    });
    const res = await runInterceptor(
      cel,
      { filter: "lists.range(100000).all(x, lists.range(100).all(y, y >= 0))" },
      makeRequest({ body: {} }),
      ctx,
    );
    expect(message(res)).toMatch(
      /^INVALID_ARGUMENT: .*cel expression exceeded its evaluation budget \(more than (2000000 evaluation steps|100 ms)\)$/,
    );
  });

  it("stops before the next expression once the decision deadline has passed", async () => {
    const abort = new AbortController();
    abort.abort();
    const res = await runInterceptor(
      cel,
      { filter: "true" },
      makeRequest({ body: {} }),
      makeContext({ signal: abort.signal }),
    );
    expect(message(res)).toBe(
      `DEADLINE_EXCEEDED: error evaluating cel expression: expression "true" failed to evaluate: the event's decision deadline passed`,
    );
  });

  it("lets the event loop go round between expressions once the event has worked a slice", async () => {
    const order: string[] = [];
    const expensive = runInterceptor(
      cel,
      { filter: EXPENSIVE, overlays: [{ key: "a", expression: EXPENSIVE }] },
      makeRequest({ body: {} }),
      makeContext({ eventBudget: createEventBudget({ sliceSteps: 20_000 }) }),
    ).then(() => order.push("expensive event"));
    setImmediate(() => order.push("the loop went round"));
    await expensive;
    expect(order).toEqual(["the loop went round", "expensive event"]);
  });

  it("does not pause an event that has done little", async () => {
    const order: string[] = [];
    const cheap = runInterceptor(
      cel,
      { filter: "body.a == 1.0", overlays: [{ key: "a", expression: "body.a" }] },
      makeRequest({ body: { a: 1 } }),
      makeContext({ eventBudget: createEventBudget() }),
    ).then(() => order.push("cheap event"));
    setImmediate(() => order.push("the loop went round"));
    await cheap;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(["cheap event", "the loop went round"]);
  });
});
