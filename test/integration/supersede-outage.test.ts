import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CancelSelector } from "../../src/concurrency/types.js";
import { createDeliveryWorker } from "../../src/delivery/delivery-worker.js";
import { HooklineError } from "../../src/errors/hookline-error.js";
import type { CreatedResource, Sink } from "../../src/sinks/types.js";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import type { Journal, PlannedRun, StoredEvent } from "../../src/store/types.js";
import type { RenderedResource } from "../../src/templates/types.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { noPatches } from "../support/no-patches.js";

/**
 * Issue 12, "supersede before creating": the cluster is down while ten pushes to one pull request
 * (a cancel-in-progress group) are journaled; when it is back, exactly one PipelineRun is created,
 * the newest push's. The runs are planned by hand as planRuns plans them (a cancel of the older
 * runs, then the labelled resource).
 */
const GROUP = "acme/web#42";
const HASH = createHash("sha256").update(GROUP).digest("hex").slice(0, 40);

/** The cluster as the sink sees it: refuses every call while `down`, keeps what it created. */
function fakeClusterSink(): Sink & { down: boolean; created: string[]; cancels: CancelSelector[] } {
  const outage = (): HooklineError =>
    new HooklineError("HL_SINK_WRITE_FAILED", "connect ECONNREFUSED 10.0.0.1:443", {
      retryable: true,
    });
  const sink = {
    kind: "kubernetes" as const,
    down: true,
    created: [] as string[],
    cancels: [] as CancelSelector[],
    patch: noPatches,
    cancel(selector: CancelSelector) {
      if (sink.down) return Promise.reject(outage());
      sink.cancels.push(selector);
      return Promise.resolve([]);
    },
    start: () => Promise.reject(outage()),
    create(r: RenderedResource): Promise<CreatedResource> {
      if (sink.down) return Promise.reject(outage());
      const name = `${r.generateName ?? ""}x`;
      sink.created.push(name);
      return Promise.resolve({ ...r, name, location: name });
    },
  };
  return sink;
}

function push(i: number, receivedAt: Date): { event: StoredEvent; run: PlannedRun } {
  const id = randomUUID();
  const order = `${String(receivedAt.getTime()).padStart(13, "0")}.${id}.0.1`;
  const event: StoredEvent = {
    id,
    listener: { namespace: "ci", name: "github" },
    provider: "github",
    deliveryId: `delivery-${i}`,
    receivedAt,
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
    generateName: `push-${i}-`,
    body: {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        generateName: `push-${i}-`,
        labels: {
          "hookline.dev/concurrency-group-hash": HASH,
          "hookline.dev/concurrency-order": order,
        },
        annotations: { "hookline.dev/concurrency-group": GROUP },
      },
      spec: {},
    },
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
        deliveryKey: `${id}.0.0`,
        selector: {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          namespace: "ci",
          groupHash: HASH,
          before: order,
          scope: "all",
          status: "Cancelled",
        },
      },
      { kind: "resource", seq: 1, deliveryKey: `${id}.0.1`, resource },
    ],
    concurrency: {
      group: GROUP,
      groupId: `ci/${HASH}`,
      groupHash: HASH,
      strategy: "cancel-in-progress",
      maxRunning: 1,
      maxKeepRuns: undefined,
      order,
      kind: "PipelineRun",
      apiVersion: "tekton.dev/v1",
      namespace: "ci",
    },
  };
  return { event, run };
}

const journals: [string, () => Journal][] = [
  ["memory", () => createMemoryJournal()],
  ["sqlite", () => createSqliteJournal({ path: ":memory:" })],
];

describe.each(journals)("a cluster outage during a burst of pushes (%s journal)", (_, make) => {
  it("creates exactly one PipelineRun afterwards: the newest push's", async () => {
    const journal = make();
    const sink = fakeClusterSink();
    let clock = Date.now();
    const worker = createDeliveryWorker({
      journal,
      sink,
      log: createCapturingLogger().log,
      now: () => new Date(clock),
      backoff: { baseMs: 1000, capMs: 30_000 },
    });
    try {
      const pushes = [];
      for (let i = 0; i < 10; i++) {
        const p = push(i, new Date(clock));
        pushes.push(p);
        await journal.record(p.event, [p.run]);
        // The worker tries what is due, and the cluster refuses it: the run waits for a retry.
        await worker.drain();
        clock += 2000;
      }
      sink.down = false;
      for (let i = 0; i < 5; i++) {
        clock += 60_000;
        await worker.drain();
      }
      expect(sink.created).toEqual(["push-9-x"]);
      // Its cancel went first, for the runs ordered before it (none left in the cluster).
      expect(sink.cancels.map((c) => c.before)).toEqual([pushes[9]?.run.concurrency?.order]);
      const states = [];
      for (const p of pushes) {
        const [run] = await journal.getRuns(p.event.id);
        // Every one was tried during the outage, and refused.
        states.push([run?.state, run?.supersededBy, (run?.attempts ?? 0) > 0]);
      }
      expect(states).toEqual([
        ...pushes.slice(1).map((p) => ["superseded", p.event.id, true]),
        ["delivered", undefined, true],
      ]);
    } finally {
      await worker.stop();
      await journal.close();
    }
  });
});
