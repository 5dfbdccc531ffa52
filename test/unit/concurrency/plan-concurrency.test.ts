import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { IncomingEvent } from "../../../src/core/incoming-event.js";
import {
  checkRenderedConcurrency,
  groupOrder,
  planConcurrency,
} from "../../../src/concurrency/plan-concurrency.js";
import { processEvent } from "../../../src/listener/process-event.js";
import { eventIdOfOrder } from "../../../src/concurrency/group-scheduler.js";
import type { RenderedResource } from "../../../src/templates/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { compileConfigText } from "../../support/compile-config-text.js";
import { fakeSecrets } from "../../support/interceptor-harness.js";

const AT = new Date("2026-12-03T12:00:00.123Z");
const KEY = "0b7c2f1e-9a4d-4c1e-8f3b-5d6a7e8f9a0b.0.0";

function resource(
  annotations: Record<string, string>,
  kind = "PipelineRun",
  apiVersion = "tekton.dev/v1",
): RenderedResource {
  return {
    apiVersion,
    kind,
    namespace: "ci",
    name: undefined,
    generateName: "build-",
    body: {
      apiVersion,
      kind,
      metadata: {
        generateName: "build-",
        namespace: "ci",
        labels: { "hookline.dev/delivery-key": KEY },
        annotations: { "other.example/keep": "yes", ...annotations },
      },
      spec: { pipelineRef: { name: "ci" } },
    },
  };
}

const hash = (key: string): string => createHash("sha256").update(key).digest("hex").slice(0, 40);

describe("planConcurrency", () => {
  it("leaves a resource without concurrency annotations alone", () => {
    expect(planConcurrency(resource({}), KEY, AT)).toBeUndefined();
  });

  it("hashes the group, orders the run by receivedAt and delivery key, and labels it", () => {
    const planned = planConcurrency(
      resource({
        "hookline.dev/concurrency-group": "org/repo#42",
        "hookline.dev/concurrency": "cancel-in-progress",
      }),
      KEY,
      AT,
    );
    const order = groupOrder(AT, KEY);
    expect(planned?.concurrency).toEqual({
      group: "org/repo#42",
      groupId: `ci/${hash("org/repo#42")}`,
      groupHash: hash("org/repo#42"),
      strategy: "cancel-in-progress",
      maxRunning: 1,
      maxKeepRuns: undefined,
      order,
      kind: "PipelineRun",
      apiVersion: "tekton.dev/v1",
      namespace: "ci",
    });
    expect(planned?.resource.body["metadata"]).toEqual({
      generateName: "build-",
      namespace: "ci",
      labels: {
        "hookline.dev/delivery-key": KEY,
        "hookline.dev/concurrency-group-hash": hash("org/repo#42"),
        "hookline.dev/concurrency-order": order,
      },
      annotations: {
        "other.example/keep": "yes",
        "hookline.dev/concurrency-group": "org/repo#42",
        "hookline.dev/concurrency": "cancel-in-progress",
      },
    });
    // Not queued: created to run at once.
    expect(planned?.resource.body["spec"]).toEqual({ pipelineRef: { name: "ci" } });
  });

  it.each([
    {
      name: "cancel-in-progress on a PipelineRun",
      strategy: "cancel-in-progress",
      kind: "PipelineRun",
      cancel: { scope: "all", status: "Cancelled" },
      pending: undefined,
    },
    {
      name: "cancel-in-progress-gracefully (finally tasks run)",
      strategy: "cancel-in-progress-gracefully",
      kind: "PipelineRun",
      cancel: { scope: "all", status: "CancelledRunFinally" },
      pending: undefined,
    },
    {
      name: "cancel-in-progress on a TaskRun",
      strategy: "cancel-in-progress",
      kind: "TaskRun",
      cancel: { scope: "all", status: "TaskRunCancelled" },
      pending: undefined,
    },
    {
      name: "queue on a PipelineRun (nothing cancelled)",
      strategy: "queue",
      kind: "PipelineRun",
      cancel: undefined,
      pending: "PipelineRunPending",
    },
    {
      name: "queue-latest on a PipelineRun",
      strategy: "queue-latest",
      kind: "PipelineRun",
      cancel: { scope: "pending", status: "Cancelled" },
      pending: "PipelineRunPending",
    },
    {
      name: "queue-latest on a TaskRun",
      strategy: "queue-latest",
      kind: "TaskRun",
      cancel: { scope: "pending", status: "TaskRunCancelled" },
      pending: "TaskRunPending",
    },
  ])("$name", ({ strategy, kind, cancel, pending }) => {
    const planned = planConcurrency(
      resource(
        { "hookline.dev/concurrency-group": "g", "hookline.dev/concurrency": strategy },
        kind,
        "tekton.dev/v1beta1",
      ),
      KEY,
      AT,
    );
    expect(planned?.cancel).toEqual(
      cancel === undefined
        ? undefined
        : {
            apiVersion: "tekton.dev/v1beta1",
            kind,
            namespace: "ci",
            groupHash: hash("g"),
            before: planned?.concurrency.order,
            ...cancel,
          },
    );
    expect((planned?.resource.body["spec"] as Record<string, unknown>)["status"]).toBe(pending);
  });

  it("defaults a group alone to queue-latest with max-running 1, written out on the run", () => {
    const planned = planConcurrency(resource({ "hookline.dev/concurrency-group": "g" }), KEY, AT);
    expect(planned?.concurrency).toMatchObject({ strategy: "queue-latest", maxRunning: 1 });
    expect(planned?.resource.body["metadata"]).toMatchObject({
      annotations: { "hookline.dev/concurrency": "queue-latest", "hookline.dev/max-running": "1" },
    });
  });

  it("reads max-running and max-keep-runs", () => {
    const planned = planConcurrency(
      resource({
        "hookline.dev/concurrency-group": "deploy-prod",
        "hookline.dev/concurrency": "queue",
        "hookline.dev/max-running": "3",
        "hookline.dev/max-keep-runs": "10",
      }),
      KEY,
      AT,
    );
    expect(planned?.concurrency).toMatchObject({ maxRunning: 3, maxKeepRuns: 10 });
  });

  it("keeps a group key of any length out of the labels", () => {
    const key = "x".repeat(500);
    const planned = planConcurrency(resource({ "hookline.dev/concurrency-group": key }), KEY, AT);
    const labels = (planned?.resource.body["metadata"] as { labels: Record<string, string> })
      .labels;
    for (const v of Object.values(labels)) expect(v.length).toBeLessThanOrEqual(63);
    expect(planned?.concurrency.group).toBe(key);
  });

  it("refuses to plan annotations nobody checked (a bug, not an event's fault)", () => {
    expect(() =>
      planConcurrency(
        resource({ "hookline.dev/concurrency-group": "g", "hookline.dev/concurrency": "nope" }),
        KEY,
        AT,
      ),
    ).toThrow(/bug/);
  });
});

describe("groupOrder", () => {
  it("pads receivedAt to 13 digits so that later events sort after earlier ones as text", () => {
    expect(groupOrder(new Date(5), "k.0.0")).toBe("0000000000005.k.0000.0000");
    const earlier = groupOrder(new Date(999_999_999_999), KEY);
    const later = groupOrder(new Date(1_000_000_000_000), KEY);
    expect(earlier < later).toBe(true);
  });

  it("pads the trigger and resource numbers, so trigger 10 of an event sorts after trigger 9", () => {
    const key = "0b8c5f7e-6a3d-4c1e-9f2a-1d2e3f4a5b6c";
    const ninth = groupOrder(AT, `${key}.9.0`);
    const tenth = groupOrder(AT, `${key}.10.0`);
    expect(ninth < tenth).toBe(true);
    expect(tenth).toBe(`${AT.getTime()}.${key}.0010.0000`);
    expect(tenth.length).toBeLessThanOrEqual(63);
    expect(eventIdOfOrder(tenth)).toBe(key);
  });

  it("hashes a delivery key that would not fit a label value, keeping the time first", () => {
    const long = `${"a".repeat(60)}.0.0`;
    const order = groupOrder(AT, long);
    expect(order).toHaveLength(63);
    expect(order.startsWith(`${AT.getTime()}.`)).toBe(true);
    expect(order).toMatch(/^[0-9]{13}\.[0-9a-f]{49}$/);
    expect(groupOrder(AT, `${long}x`)).not.toBe(order);
  });
});

describe("checkRenderedConcurrency", () => {
  it("passes resources without annotations and valid ones", () => {
    expect(checkRenderedConcurrency([resource({})])).toBeUndefined();
    expect(
      checkRenderedConcurrency([resource({ "hookline.dev/concurrency-group": "g" }), resource({})]),
    ).toBeUndefined();
  });

  it.each([
    {
      name: "a rendered unknown strategy",
      annotations: { "hookline.dev/concurrency-group": "g", "hookline.dev/concurrency": "fast" },
      message: /hookline.dev\/concurrency: unknown strategy "fast"/,
    },
    {
      name: "a rendered empty group",
      annotations: { "hookline.dev/concurrency-group": "" },
      message: /the group must not be empty/,
    },
    {
      name: "a rendered max-running that is no number",
      annotations: { "hookline.dev/concurrency-group": "g", "hookline.dev/max-running": "lots" },
      message: /hookline.dev\/max-running: must be a positive whole number/,
    },
  ])("names $name", ({ annotations, message }) => {
    expect(checkRenderedConcurrency([resource(annotations)])).toMatch(message);
  });

  it("refuses two grouped resources", () => {
    const g = resource({ "hookline.dev/concurrency-group": "g" });
    expect(checkRenderedConcurrency([g, g])).toMatch(/one concurrency group/);
  });
});

describe("an event through processEvent", () => {
  const { log } = createCapturingLogger();
  const config = compileConfigText(`
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: pr }
spec:
  params:
    - name: repo
    - name: pr
    - name: strategy
      default: cancel-in-progress
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata: { generateName: note- }
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: pr-
        annotations:
          hookline.dev/concurrency-group: "$(tt.params.repo)#$(tt.params.pr)"
          hookline.dev/concurrency: "$(tt.params.strategy)"
      spec:
        pipelineRef: { name: ci }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: { name: pr }
spec:
  params:
    - { name: repo, value: $(body.repo) }
    - { name: pr, value: $(body.pr) }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: el }
spec:
  triggers:
    - name: pr
      bindings: [{ ref: pr }]
      template: { ref: pr }
    - name: bad
      bindings:
        - { ref: pr }
        - { name: strategy, value: $(body.strategy) }
      template: { ref: pr }
`);
  const listener = config.listeners[0];
  if (listener === undefined) throw new Error(`no listener: ${JSON.stringify(config.issues)}`);

  function event(body: unknown, receivedAt: Date): IncomingEvent {
    return {
      eventId: "11111111-2222-3333-4444-555555555555",
      receivedAt,
      method: "POST",
      url: "/",
      header: { "Content-Type": ["application/json"] },
      rawBody: Buffer.from(JSON.stringify(body)),
      provider: "generic",
      deliveryId: undefined,
    };
  }

  it("plans the cancel just before the grouped resource, and gives the run its group", async () => {
    const processed = await processEvent(
      {
        listener,
        event: event({ repo: "org/app", pr: 7, strategy: "cancel-in-progress" }, AT),
        deliveryIdOwner: undefined,
      },
      { secrets: fakeSecrets({}), log, deadlineMs: 5_000 },
    );
    const run = processed.runs.find(
      (r) => r.origin.kind === "trigger" && r.origin.trigger === "pr",
    );
    const id = "11111111-2222-3333-4444-555555555555";
    expect(run?.deliveries.map((d) => [d.kind, d.seq, d.deliveryKey])).toEqual([
      ["resource", 0, `${id}.0.0`],
      ["cancel", 1, `${id}.0.1.cancel`],
      ["resource", 2, `${id}.0.1`],
    ]);
    expect(run?.concurrency).toMatchObject({
      group: "org/app#7",
      strategy: "cancel-in-progress",
      order: `${AT.getTime()}.${id}.0000.0001`,
    });
    const cancel = run?.deliveries[1];
    expect(cancel?.kind === "cancel" ? cancel.selector : undefined).toMatchObject({
      scope: "all",
      status: "Cancelled",
      before: `${AT.getTime()}.${id}.0000.0001`,
    });
    // The trace shows the labelled resource, as it will be created.
    const trace = processed.traces[0];
    expect(
      trace?.outcome.kind === "fired" ? trace.outcome.resources[1]?.body["metadata"] : undefined,
    ).toMatchObject({ labels: { "hookline.dev/concurrency-group-hash": hash("org/app#7") } });
  });

  it("fails a trigger whose rendered strategy is invalid, at stage template", async () => {
    const processed = await processEvent(
      {
        listener,
        event: event({ repo: "org/app", pr: 7, strategy: "sometimes" }, AT),
        deliveryIdOwner: undefined,
      },
      { secrets: fakeSecrets({}), log, deadlineMs: 5_000 },
    );
    const bad = processed.traces.find((t) => t.trigger === "bad");
    expect(bad?.outcome).toMatchObject({ kind: "failed", stage: "template" });
    expect(bad?.outcome.kind === "failed" ? bad.outcome.message : "").toContain(
      'unknown strategy "sometimes"',
    );
    expect(
      processed.runs.some((r) => r.origin.kind === "trigger" && r.origin.trigger === "bad"),
    ).toBe(false);
  });

  it("orders the runs by recordedAt when given (a replay's own time)", async () => {
    const later = new Date(AT.getTime() + 60_000);
    const processed = await processEvent(
      {
        listener,
        event: event({ repo: "org/app", pr: 7 }, AT),
        deliveryIdOwner: undefined,
        recordedAt: later,
      },
      { secrets: fakeSecrets({}), log, deadlineMs: 5_000 },
    );
    expect(processed.runs[0]?.concurrency?.order.startsWith(`${later.getTime()}.`)).toBe(true);
  });
});
