import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CompiledListener, CompiledTrigger } from "../../../src/config/compiled.js";
import type { IncomingEvent } from "../../../src/core/incoming-event.js";
import { processEvent } from "../../../src/listener/process-event.js";
import type { ProcessedEvent } from "../../../src/listener/processed-event.js";
import type { RuledOutBy, TriggerOutcome } from "../../../src/listener/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { compileConfigText } from "../../support/compile-config-text.js";
import { fakeSecrets } from "../../support/interceptor-harness.js";

// Indexed and exhaustive evaluation give the same outcome per trigger (docs/architecture.md, "The
// dispatch index"): random listeners of github, gitlab, bitbucket and cel steps, random events
// (right and wrong signatures, other providers, form bodies, missing and non-string fields), each
// processed once with the index and once with every trigger run.

const SECRETS: Record<string, string> = {
  "default/s1/k": "secret-one",
  "default/s2/k": "secret-two",
};

/** The filter conjuncts drawn from: indexable ones, and others the index must step over. */
const CONJUNCTS = [
  "body.repo == 'r1'",
  "'r2' == body.repo",
  "body.repo in ['r2', 'r3']",
  "body.action == 'opened'",
  "body.meta.kind == 'k'",
  "body['odd-key'] == 'v'",
  "'bug' in body.labels",
  "header.match('X-Github-Event', 'push')",
  "header.match('x-kind', 'a')",
  "body.n == '1'",
  "body.missing.deeper == 'x'",
  "body.repo.startsWith('r')",
  "body.action != 'closed'",
  "size(body.labels) > 0",
];

const arbSecret = fc.constantFrom("s1", "s2", "nope");
const arbTypes = fc.option(fc.subarray(["push", "pull_request", "Push Hook", "repo:push"]), {
  nil: undefined,
});
const arbProviderStep = fc.oneof(
  fc.record({
    kind: fc.constant("github"),
    secret: fc.option(arbSecret, { nil: undefined }),
    types: arbTypes,
  }),
  fc.record({
    kind: fc.constant("gitlab"),
    secret: fc.option(arbSecret, { nil: undefined }),
    types: arbTypes,
  }),
  fc.record({
    kind: fc.constant("bitbucket"),
    secret: fc.option(arbSecret, { nil: undefined }),
    types: arbTypes,
  }),
);
const arbCelStep = fc.record({
  kind: fc.constant("cel"),
  conjuncts: fc.array(fc.constantFrom(...CONJUNCTS), { minLength: 1, maxLength: 3 }),
  overlay: fc.boolean(),
});
const arbTrigger = fc.record({
  first: fc.option(arbProviderStep, { nil: undefined }),
  cels: fc.array(arbCelStep, { maxLength: 2 }),
});
type TriggerShape = typeof arbTrigger extends fc.Arbitrary<infer T> ? T : never;

function stepYaml(step: TriggerShape["cels"][number] | NonNullable<TriggerShape["first"]>): string {
  if (step.kind === "cel") {
    const overlay = step.overlay
      ? `\n            - { name: overlays, value: [{ key: k, expression: "body.repo + 'x'" }] }`
      : "";
    return `
        - ref: { name: cel }
          params:
            - { name: filter, value: ${JSON.stringify(step.conjuncts.join(" && "))} }${overlay}`;
  }
  const params: string[] = [];
  if (step.secret !== undefined)
    params.push(`{ name: secretRef, value: { secretName: ${step.secret}, secretKey: k } }`);
  if (step.types !== undefined)
    params.push(`{ name: eventTypes, value: ${JSON.stringify(step.types)} }`);
  return `
        - ref: { name: ${step.kind} }
          params: [${params.join(", ")}]`;
}

function listenerOf(shapes: TriggerShape[]): CompiledListener {
  const triggers = shapes.map((shape, i) => {
    const steps = [...(shape.first === undefined ? [] : [shape.first]), ...shape.cels];
    return `
    - name: t${i}
      interceptors:${steps.length === 0 ? " []" : steps.map(stepYaml).join("")}
      bindings:
        - { name: repo, value: "$(body.repo)" }
      template: { ref: tt }`;
  });
  const config = compileConfigText(`
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt }
spec:
  params: [{ name: repo, default: none }]
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { name: "cm-$(tt.params.repo)" } }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: el }
spec:
  triggers:${triggers.join("")}
`);
  const el = config.listeners[0];
  if (el === undefined) throw new Error(JSON.stringify(config.issues));
  return el;
}

/** The same listener with no dispatch plan: every trigger runs. */
function exhaustive(el: CompiledListener): CompiledListener {
  const strip = (t: CompiledTrigger): CompiledTrigger => {
    if (t.plan.kind !== "plan") return t;
    const { dispatch: _dispatch, ...plan } = t.plan;
    return { ...t, plan };
  };
  return { ...el, triggers: el.triggers.map(strip) };
}

const arbBodyValue = fc.constantFrom<unknown>(undefined, "r1", "r2", "r3", "opened", 1, null, [
  "bug",
]);
const arbEvent = fc.record({
  provider: fc.constantFrom("github", "gitlab", "bitbucket", "none"),
  type: fc.constantFrom("push", "pull_request", "Push Hook", "repo:push", ""),
  signedWith: fc.constantFrom("secret-one", "secret-two", "wrong", "none"),
  form: fc.boolean(),
  kind: fc.constantFrom("a", "b", undefined),
  body: fc.record(
    {
      repo: arbBodyValue,
      action: fc.constantFrom<unknown>("opened", "closed", 3),
      labels: fc.constantFrom<unknown>(["bug"], ["x", "bug"], [], ["x", 1], "bug", { bug: 1 }),
      n: fc.constantFrom<unknown>("1", 1),
      meta: fc.constantFrom<unknown>({ kind: "k" }, { kind: 1 }, "k", {}),
      "odd-key": fc.constantFrom<unknown>("v", "w"),
    },
    { requiredKeys: [] },
  ),
  notObject: fc.constantFrom(false, false, false, true),
});
type EventShape = typeof arbEvent extends fc.Arbitrary<infer T> ? T : never;

function eventOf(shape: EventShape): IncomingEvent {
  const json = shape.notObject ? "[1, 2]" : JSON.stringify(shape.body);
  const text = shape.form ? `repo=r1&action=opened&payload=${encodeURIComponent(json)}` : json;
  const body = Buffer.from(text);
  const header: Record<string, string[]> = {
    "Content-Type": [shape.form ? "application/x-www-form-urlencoded" : "application/json"],
  };
  if (shape.kind !== undefined) header["X-Kind"] = [shape.kind];
  const signature = (algo: string): string =>
    `${algo}=${createHmac(algo, shape.signedWith).update(body).digest("hex")}`;
  const signed = shape.signedWith !== "none";
  switch (shape.provider) {
    case "github":
      header["X-Github-Event"] = [shape.type];
      if (signed) header["X-Hub-Signature-256"] = [signature("sha256")];
      break;
    case "gitlab":
      header["X-Gitlab-Event"] = [shape.type];
      if (signed) header["X-Gitlab-Token"] = [shape.signedWith];
      break;
    case "bitbucket":
      header["X-Event-Key"] = [shape.type];
      if (signed) header["X-Hub-Signature"] = [signature("sha256")];
      break;
    case "none":
      break;
  }
  return {
    eventId: "e1",
    receivedAt: new Date(0),
    method: "POST",
    url: "/",
    header,
    rawBody: body,
    provider: "generic",
    deliveryId: undefined,
  };
}

/**
 * The equivalence: a trigger the index ruled out by a filter fact is not_applicable where the
 * exhaustive run has the filter's `filtered`; every other outcome is the same, field for field
 * (messages, resources), but for the interceptor named by a not_applicable the index found.
 */
function comparable(o: TriggerOutcome): unknown {
  switch (o.kind) {
    case "filtered":
      return { kind: "filter said no", interceptor: o.interceptor };
    case "not_applicable":
      return o.ruledOutBy.fact === "filter"
        ? { kind: "filter said no", interceptor: "cel" }
        : { kind: o.kind, ruledOutBy: o.ruledOutBy, message: o.message };
    case "fired":
      return { kind: o.kind, resources: o.resources.map((r) => withoutDeliveryKey(r.body)) };
    case "failed":
    case "rejected":
    case "timedOut":
    case "rateLimited":
      return o;
  }
}

/**
 * The delivery key counts the triggers that ran before this one (not-applicable ones are kept apart),
 * so it differs where the index ruled out a trigger the exhaustive run filtered; within one config
 * it is as stable as before. Everything else of a resource must be equal.
 */
function withoutDeliveryKey(body: Record<string, unknown>): unknown {
  const meta = body["metadata"] as Record<string, unknown>;
  const labels = { ...(meta["labels"] as Record<string, string>) };
  delete labels["hookline.dev/delivery-key"];
  return { ...body, metadata: { ...meta, labels } };
}

function comparableRuling(r: RuledOutBy): unknown {
  return r.fact === "filter"
    ? { kind: "filter said no", interceptor: "cel" }
    : { kind: "not_applicable", ruledOutBy: r };
}

function summary(p: ProcessedEvent): unknown {
  return {
    outcome: p.outcome,
    status: p.answer.status,
    answer: p.answer.body,
    authenticated: p.authenticated,
    // The journal keeps not-applicable triggers apart from the traces; they are compared together.
    triggers: [
      ...p.traces.map((t) => [t.trigger, comparable(t.outcome)] as const),
      ...p.notApplicable.map((n) => [n.trigger, comparableRuling(n.ruledOutBy)] as const),
    ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** The same listener without its buckets: every plan is walked on its own. */
function unbucketed(el: CompiledListener): CompiledListener {
  const { dispatchIndex: _index, ...rest } = el;
  return rest;
}

/**
 * Listeners made to fill buckets: triggers alike but for one fact (the repository, a header, the
 * values of an `in` list), with or without a github step first, and a shared conjunct or not.
 */
const REPOS = ["r1", "r2", "r3", "r4"];
const arbDecides = fc.oneof(
  fc.constantFrom(...REPOS).map((r) => `body.repo == '${r}'`),
  fc
    .subarray(REPOS, { minLength: 1 })
    .map((rs) => `body.repo in [${rs.map((r) => `'${r}'`).join(", ")}]`),
  fc.constantFrom("a", "b", "c").map((k) => `header.match('X-Kind', '${k}')`),
);
const arbBucketTrigger = fc.record({
  github: fc.option(
    fc.record({
      secret: arbSecret,
      types: fc.constantFrom(["push"], ["push", "pull_request"]).map((t) => [...t]),
    }),
    { nil: undefined },
  ),
  decides: arbDecides,
  before: fc.constantFrom(undefined, "body.action == 'opened'", "size(body.labels) > 0"),
  after: fc.constantFrom(undefined, "body.meta.kind == 'k'", "body.repo.startsWith('r')"),
});
type BucketShape = typeof arbBucketTrigger extends fc.Arbitrary<infer T> ? T : never;
/** Most triggers alike but for what decides; a few others of any shape among them. */
const arbBucketListener = fc
  .record({
    common: arbBucketTrigger,
    decides: fc.array(arbDecides, { minLength: 2, maxLength: 8 }),
    others: fc.array(fc.tuple(fc.nat(8), arbBucketTrigger), { maxLength: 2 }),
  })
  .map(({ common, decides, others }) => {
    const shapes: BucketShape[] = decides.map((d) => ({ ...common, decides: d }));
    for (const [at, shape] of others) shapes.splice(at, 0, shape);
    return shapes;
  });

function bucketListenerOf(shapes: BucketShape[]): CompiledListener {
  return listenerOf(
    shapes.map((b) => ({
      first:
        b.github === undefined
          ? undefined
          : { kind: "github", secret: b.github.secret, types: b.github.types },
      cels: [
        {
          kind: "cel",
          conjuncts: [b.before, b.decides, b.after].filter((c): c is string => c !== undefined),
          overlay: false,
        },
      ],
    })),
  );
}

describe("the dispatch index", () => {
  const { log } = createCapturingLogger();
  const deps = { secrets: fakeSecrets(SECRETS), log, deadlineMs: 5_000 };

  it("gives every trigger the outcome an exhaustive run gives it (property)", async () => {
    let ruledOut = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbTrigger, { minLength: 1, maxLength: 5 }),
        arbEvent,
        // Without payload validation a form body or a JSON array reaches the triggers.
        fc.boolean(),
        async (shapes, eventShape, payloadValidation) => {
          const el = { ...listenerOf(shapes), payloadValidation };
          const event = eventOf(eventShape);
          const indexed = await processEvent(
            { listener: el, event, deliveryIdOwner: undefined },
            deps,
          );
          const all = await processEvent(
            { listener: exhaustive(el), event, deliveryIdOwner: undefined },
            deps,
          );
          // Filter rulings are the index's alone (an exhaustive run's filter says `filtered`).
          ruledOut += indexed.notApplicable.filter((n) => n.ruledOutBy.fact === "filter").length;
          expect(summary(indexed)).toEqual(summary(all));
        },
      ),
      { numRuns: 300 },
    );
    // The property says something only if the index ruled triggers out by their filters (about
    // 20 of 300 runs do; event-type rulings, far more, read the same either way).
    expect(ruledOut).toBeGreaterThan(5);
  });

  it("rules a bucket's members out as walking each plan does, and as an exhaustive run (property)", async () => {
    let bucketed = 0;
    await fc.assert(
      fc.asyncProperty(
        arbBucketListener,
        arbEvent,
        fc.boolean(),
        async (shapes, eventShape, payloadValidation) => {
          const el = { ...bucketListenerOf(shapes), payloadValidation };
          const event = eventOf(eventShape);
          const run = (listener: CompiledListener): Promise<ProcessedEvent> =>
            processEvent({ listener, event, deliveryIdOwner: undefined }, deps);
          const indexed = await run(el);
          const walked = await run(unbucketed(el));
          const all = await run(exhaustive(el));
          bucketed += el.dispatchIndex?.buckets.length ?? 0;
          // Buckets and walks: the same answer, traces and not-applicable list, in the same order.
          expect(indexed.answer).toEqual(walked.answer);
          expect(indexed.outcome).toBe(walked.outcome);
          expect(indexed.authenticated).toBe(walked.authenticated);
          expect(indexed.notApplicable).toEqual(walked.notApplicable);
          // The same event again gets the shared lists of its buckets: still the same entries.
          const again = await run(el);
          expect(again.notApplicable).toEqual(walked.notApplicable);
          expect(indexed.traces.map((t) => [t.trigger, t.outcome])).toEqual(
            walked.traces.map((t) => [t.trigger, t.outcome]),
          );
          expect(summary(indexed)).toEqual(summary(all));
        },
      ),
      { numRuns: 300 },
    );
    expect(bucketed).toBeGreaterThan(100);
  });
});
