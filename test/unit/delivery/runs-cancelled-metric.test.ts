import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/admin/metrics.js";
import type { CancelledRun, CancelSelector } from "../../../src/concurrency/types.js";
import { createDeliveryWorker } from "../../../src/delivery/delivery-worker.js";
import type { CreatedResource, Sink } from "../../../src/sinks/types.js";
import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import type { PlannedRun, StoredEvent } from "../../../src/store/types.js";
import type { RenderedResource } from "../../../src/templates/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { noPatches } from "../../support/no-patches.js";

/**
 * hookline_runs_cancelled_total{listener} (issue 12): the runs a delivered cancel delivery
 * cancelled, labelled with the listener of the event whose run held the cancel; a cancel that
 * found nothing older counts nothing, and a cancel is no Tekton resource created.
 */
function fakeSink(cancelled: CancelledRun[][]): Sink {
  return {
    kind: "kubernetes",
    patch: noPatches,
    cancel: (_selector: CancelSelector) => Promise.resolve(cancelled.shift() ?? []),
    start: () => Promise.reject(new Error("no start here")),
    create: (r: RenderedResource): Promise<CreatedResource> =>
      Promise.resolve({ ...r, name: "pr-new", location: "/pr-new" }),
  };
}

function cancellingEvent(listener: string): { event: StoredEvent; run: PlannedRun } {
  const id = randomUUID();
  const event: StoredEvent = {
    id,
    listener: { namespace: "ci", name: listener },
    provider: "github",
    deliveryId: undefined,
    receivedAt: new Date(),
    method: "POST",
    url: "/",
    headers: {},
    body: { kind: "kept", bytes: Buffer.from("{}") },
    status: 202,
    outcome: "fired",
    traces: [],
  };
  const resource: RenderedResource = {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    namespace: "ci",
    name: undefined,
    generateName: "pr-",
    body: { apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: { generateName: "pr-" } },
  };
  const run: PlannedRun = {
    id: randomUUID(),
    eventId: id,
    origin: { kind: "trigger", traceIndex: 0, trigger: "pr" },
    namespace: "ci",
    serviceAccountName: undefined,
    deliveries: [
      {
        kind: "cancel",
        seq: 0,
        deliveryKey: `${id}.0.0.cancel`,
        selector: {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          namespace: "ci",
          groupHash: "h",
          before: "9",
          scope: "all",
          status: "Cancelled",
        },
      },
      { kind: "resource", seq: 1, deliveryKey: `${id}.0.0`, resource },
    ],
  };
  return { event, run };
}

const gone = (name: string): CancelledRun => ({
  kind: "PipelineRun",
  namespace: "ci",
  name,
  location: `/${name}`,
});

describe("hookline_runs_cancelled_total", () => {
  it("counts the runs delivered cancels cancelled, by the event's listener", async () => {
    const journal = createMemoryJournal();
    const metrics = createMetrics(journal);
    const worker = createDeliveryWorker({
      journal,
      sink: fakeSink([[gone("pr-a"), gone("pr-b")], [], [gone("pr-c")]]),
      log: createCapturingLogger().log,
      metrics,
    });
    for (const listener of ["github", "github", "gitlab"]) {
      const { event, run } = cancellingEvent(listener);
      await journal.record(event, [run]);
      await worker.drain();
    }
    const text = await metrics.registry.metrics();
    expect(text).toContain('hookline_runs_cancelled_total{listener="ci/github"} 2\n');
    expect(text).toContain('hookline_runs_cancelled_total{listener="ci/gitlab"} 1\n');
    expect(text).toMatch(/eventlistener_triggered_resources_total\{kind="PipelineRun"\} 3\n/);
    expect(text).not.toContain(
      'eventlistener_triggered_resources_total{kind="PipelineRun cancellation"}',
    );
  });
});
