import { beforeEach, describe, expect, it } from "vitest";
import type {
  CompiledListener,
  CompiledTrigger,
  InterceptorStep,
} from "../../../src/config/compiled.js";
import { compileTemplate } from "../../../src/templates/compile-template.js";
import { decideEvent } from "../../../src/listener/decide-event.js";
import { prepareEvent } from "../../../src/listener/prepare-event.js";
import type { Interceptor, InterceptorResponse } from "../../../src/interceptors/public.js";
import type { EventDecision } from "../../../src/listener/types.js";
import { cel } from "../../../interceptors/cel/index.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { fakeSecrets } from "../../support/interceptor-harness.js";

/**
 * CEL that cannot stall others (issue 11 item 7): one CPU budget per event shared by all its
 * triggers, and evaluation that lets the event loop serve other events between expressions.
 * Orderings and outcomes only: no assertion on how long anything took.
 */
const template = compileTemplate(
  {
    params: [],
    resourcetemplates: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" } }],
    loc: { file: "t", line: 1, column: 1, field: "" },
  },
  {},
);

/** About 30,000 steps: far under one expression's own limits, over the test slice below. */
const EXPENSIVE = "lists.range(5000).all(x, x >= 0)";
/** A slice in steps, so that the expensive event pauses after each expression on any machine. */
const SLICE = { sliceSteps: 20_000 };

function celStep(params: Record<string, unknown>, wrap?: Interceptor<unknown>): InterceptorStep {
  const interceptor = wrap ?? cel;
  return { kind: "builtin", name: "cel", interceptor, params: cel.parseParams(params) };
}

function trigger(name: string, steps: InterceptorStep[]): CompiledTrigger {
  return {
    name,
    namespace: "default",
    id: `namespaces/default/triggers/${name}`,
    via: "inline",
    plan: {
      kind: "plan",
      interceptors: steps,
      bindings: [],
      template,
      templateName: undefined,
      serviceAccountName: undefined,
    },
  };
}

function listener(name: string, triggers: CompiledTrigger[]): CompiledListener {
  return {
    name,
    namespace: "default",
    uid: `uid-${name}`,
    payloadValidation: true,
    reply: "honest",
    cloudEventURI: undefined,
    triggers,
    groups: [],
  };
}

function event(id: string, body: unknown = { a: 1 }): ReturnType<typeof prepareEvent> {
  return prepareEvent({
    eventId: id,
    receivedAt: new Date(),
    method: "POST",
    url: "/",
    header: { "Content-Type": ["application/json"] },
    rawBody: Buffer.from(JSON.stringify(body)),
    provider: "generic",
    deliveryId: undefined,
  });
}

function outcomes(decision: EventDecision): Record<string, string> {
  return Object.fromEntries(
    decision.triggers.map((t) => [
      t.trigger,
      t.outcome.kind === "failed" ? `failed: ${t.outcome.message}` : t.outcome.kind,
    ]),
  );
}

const overlays = (n: number): { key: string; expression: string }[] =>
  Array.from({ length: n }, (_, i) => ({ key: `o${i}`, expression: EXPENSIVE }));

// What all events did in the loop's current turn counts (event-budget.ts): start each test afresh.
beforeEach(async () => {
  await new Promise((resolve) => setImmediate(resolve));
});

describe("the event's cel budget and pauses", () => {
  it("lets a cheap event processed concurrently finish before an expensive one", async () => {
    const { log } = createCapturingLogger();
    const deps = { secrets: fakeSecrets(), log, deadlineMs: 60_000, eventBudgetLimits: SLICE };
    const expensive = listener("expensive", [
      trigger("heavy", [celStep({ filter: EXPENSIVE, overlays: overlays(5) })]),
    ]);
    const cheap = listener("cheap", [trigger("light", [celStep({ filter: "body.a == 1.0" })])]);
    const finished: string[] = [];
    const first = decideEvent(expensive, event("e-expensive"), deps).then((d) => {
      finished.push("expensive");
      return d;
    });
    // The cheap event arrives once the loop goes round (as a request would, from I/O): without
    // pauses the expensive event would have run all its cel by then, and finished first.
    const second = new Promise((resolve) => setImmediate(resolve))
      .then(() => decideEvent(cheap, event("e-cheap"), deps))
      .then((d) => {
        finished.push("cheap");
        return d;
      });
    const [a, b] = await Promise.all([first, second]);
    expect(finished).toEqual(["cheap", "expensive"]);
    expect(outcomes(a)).toEqual({ heavy: "fired" });
    expect(outcomes(b)).toEqual({ light: "fired" });
  });

  it("is shared by every trigger of the event: once used up, later cel fails, other triggers fire, the next event starts afresh", async () => {
    const { log } = createCapturingLogger();
    const deps = {
      secrets: fakeSecrets(),
      log,
      deadlineMs: 60_000,
      eventBudgetLimits: { maxSteps: 20_000, maxMillis: Infinity },
    };
    const el = listener("el", [
      trigger("heavy", [celStep({ filter: EXPENSIVE })]),
      trigger("no-cel", []),
      trigger("light", [celStep({ filter: "body.a == 1.0" })]),
    ]);
    const used =
      "the event's cel budget is used up (more than 20000 evaluation steps across all its triggers)";
    const first = outcomes(await decideEvent(el, event("e1"), deps));
    expect(first["no-cel"]).toBe("fired");
    expect(first["heavy"]).toContain(`cel: RESOURCE_EXHAUSTED: error evaluating cel expression`);
    expect(first["heavy"]).toContain(used);
    expect(first["light"]).toContain(`cel: RESOURCE_EXHAUSTED: `);
    expect(first["light"]).toContain(used);

    // Another event on a listener whose only cel is cheap: its own budget, untouched.
    const cheapOnly = listener("el2", [trigger("light", [celStep({ filter: "body.a == 1.0" })])]);
    expect(outcomes(await decideEvent(cheapOnly, event("e2"), deps))).toEqual({ light: "fired" });
  });

  it("lets the decision deadline stop an expensive event between two expressions", async () => {
    const { log } = createCapturingLogger();
    let celAnswer: Promise<InterceptorResponse> | undefined;
    const watched: Interceptor<unknown> = {
      name: "cel",
      parseParams: (p) => cel.parseParams(p),
      process: (req, params, ctx) => {
        celAnswer = Promise.resolve(cel.process(req, params as never, ctx));
        return celAnswer;
      },
    };
    // 1,000 expressions of ~30,000 steps: far longer than the 20 ms deadline on any machine.
    const el = listener("el", [
      trigger("endless", [celStep({ overlays: overlays(1_000) }, watched)]),
      trigger("no-cel", []),
    ]);
    const decision = await decideEvent(el, event("e1"), {
      secrets: fakeSecrets(),
      log,
      deadlineMs: 20,
      eventBudgetLimits: { ...SLICE, maxSteps: Infinity, maxMillis: Infinity },
    });
    expect(outcomes(decision)).toEqual({ endless: "timedOut", "no-cel": "fired" });
    // The interceptor itself stopped at the next expression, instead of running on unseen.
    const answer = await celAnswer;
    expect(answer?.continue).toBe(false);
    if (answer !== undefined && !answer.continue) {
      expect(answer.status.code).toBe("DEADLINE_EXCEEDED");
    }
  });
});
