import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/admin/metrics.js";
import { createDeliveryWorker } from "../../../src/delivery/delivery-worker.js";
import { nextDelayMs } from "../../../src/delivery/backoff.js";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import type { CreatedResource, Sink } from "../../../src/sinks/types.js";
import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import type { Journal, StoredEvent } from "../../../src/store/types.js";
import type { RenderedResource } from "../../../src/templates/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { noGroupOps, noPatches } from "../../support/no-patches.js";

function resource(name: string): RenderedResource {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace: "default",
    name,
    generateName: undefined,
    body: { metadata: { name } },
  };
}

/** A test sink: fails as scripted per resource name, records every create it accepted. */
function fakeSink(
  script: Record<string, (attempt: number) => HooklineError | undefined>,
): Sink & { created: string[]; tries: Map<string, number> } {
  const created: string[] = [];
  const tries = new Map<string, number>();
  return {
    kind: "local",
    created,
    tries,
    patch: noPatches,
    ...noGroupOps,
    create(r: RenderedResource): Promise<CreatedResource> {
      const name = r.name ?? "";
      const n = (tries.get(name) ?? 0) + 1;
      tries.set(name, n);
      const failure = script[name]?.(n);
      if (failure !== undefined) return Promise.reject(failure);
      created.push(name);
      return Promise.resolve({
        apiVersion: r.apiVersion,
        kind: r.kind,
        namespace: r.namespace,
        name,
        location: name,
      });
    },
  };
}

async function recordRun(journal: Journal, names: string[]): Promise<string> {
  const id = randomUUID();
  const event: StoredEvent = {
    id,
    listener: { namespace: "default", name: "el" },
    provider: "generic",
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
  await journal.record(event, [
    {
      id: randomUUID(),
      eventId: id,
      origin: { kind: "trigger", traceIndex: 0, trigger: "t" },
      namespace: "default",
      serviceAccountName: undefined,
      deliveries: names.map((n, seq) => ({
        kind: "resource",
        seq,
        deliveryKey: `${id}.0.${seq}`,
        resource: resource(n),
      })),
    },
  ]);
  return id;
}

const retryable = (): HooklineError =>
  new HooklineError("HL_SINK_WRITE_FAILED", "connection refused", { retryable: true });
const permanent = (): HooklineError =>
  new HooklineError("HL_SINK_WRITE_FAILED", "422 Unprocessable Entity: spec.x is invalid", {
    retryable: false,
  });

describe("the delivery worker", () => {
  it("creates a trigger's resources in template order", async () => {
    const journal = createMemoryJournal();
    const sink = fakeSink({});
    const id = await recordRun(journal, ["a", "b", "c"]);
    await createDeliveryWorker({ journal, sink, log: createCapturingLogger().log }).drain();
    expect(sink.created).toEqual(["a", "b", "c"]);
    const [run] = await journal.getRuns(id);
    expect(run?.state).toBe("delivered");
    expect(run?.deliveries.map((d) => d.state)).toEqual(["delivered", "delivered", "delivered"]);
  });

  it("retries a retryable failure with backoff, then delivers, without repeating what succeeded", async () => {
    const journal = createMemoryJournal();
    const sink = fakeSink({ b: (n) => (n <= 3 ? retryable() : undefined) });
    const id = await recordRun(journal, ["a", "b", "c"]);
    let clock = Date.now() + 1;
    const worker = createDeliveryWorker({
      journal,
      sink,
      log: createCapturingLogger().log,
      now: () => new Date(clock),
      backoff: { baseMs: 1000, capMs: 60_000 },
    });
    await worker.drain();
    let [run] = await journal.getRuns(id);
    expect(run?.state).toBe("pending");
    expect(run?.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(clock);
    expect(run?.deliveries.map((d) => d.state)).toEqual(["delivered", "pending", "pending"]);
    // Not due yet: nothing happens.
    await worker.drain();
    expect(sink.tries.get("b")).toBe(1);
    for (let i = 0; i < 5; i++) {
      clock += 120_000;
      await worker.drain();
    }
    [run] = await journal.getRuns(id);
    expect(run?.state).toBe("delivered");
    expect(sink.created).toEqual(["a", "b", "c"]);
    expect(sink.tries.get("a")).toBe(1);
    expect(run?.deliveries[1]?.attempts.map((a) => a.error ?? "ok")).toEqual([
      "connection refused",
      "connection refused",
      "connection refused",
      "ok",
    ]);
  });

  it("sends a permanent failure to dead letter with the API's message; later resources are not attempted", async () => {
    const journal = createMemoryJournal();
    const sink = fakeSink({ b: () => permanent() });
    const id = await recordRun(journal, ["a", "b", "c"]);
    await createDeliveryWorker({ journal, sink, log: createCapturingLogger().log }).drain();
    const [run] = await journal.getRuns(id);
    expect(run?.state).toBe("dead");
    expect(run?.lastError).toContain("422");
    expect(run?.deliveries.map((d) => d.state)).toEqual(["delivered", "dead", "not_attempted"]);
    expect(sink.tries.get("c")).toBeUndefined();
  });

  it("gives up after the last attempt", async () => {
    const journal = createMemoryJournal();
    const sink = fakeSink({ a: () => retryable() });
    const id = await recordRun(journal, ["a"]);
    let clock = Date.now() + 1;
    const worker = createDeliveryWorker({
      journal,
      sink,
      log: createCapturingLogger().log,
      now: () => new Date(clock),
      maxAttempts: 4,
    });
    for (let i = 0; i < 10; i++) {
      await worker.drain();
      clock += 3600_000;
    }
    const [run] = await journal.getRuns(id);
    expect(run?.state).toBe("dead");
    expect(run?.attempts).toBe(4);
    expect(sink.tries.get("a")).toBe(4);
  });

  it("honours Retry-After", async () => {
    const journal = createMemoryJournal();
    const sink = fakeSink({
      a: () =>
        new HooklineError("HL_SINK_WRITE_FAILED", "429 Too Many Requests", {
          retryable: true,
          retryAfterMs: 30_000,
        }),
    });
    const id = await recordRun(journal, ["a"]);
    const clock = Date.now() + 1;
    await createDeliveryWorker({
      journal,
      sink,
      log: createCapturingLogger().log,
      now: () => new Date(clock),
      backoff: { baseMs: 10, capMs: 20 },
    }).drain();
    const [run] = await journal.getRuns(id);
    expect(run?.nextAttemptAt.getTime()).toBe(clock + 30_000);
  });
});

describe("backoff", () => {
  it("grows exponentially under a cap, with jitter, and never below Retry-After", () => {
    const policy = { baseMs: 1000, capMs: 8000 };
    expect(nextDelayMs(1, policy, undefined, () => 0.999)).toBe(999);
    expect(nextDelayMs(3, policy, undefined, () => 0.999)).toBe(3996);
    expect(nextDelayMs(10, policy, undefined, () => 0.999)).toBe(7992);
    expect(nextDelayMs(10, policy, undefined, () => 0)).toBe(0);
    expect(nextDelayMs(1, policy, 5000, () => 0.5)).toBe(5000);
  });
});

/** A sink whose every create waits until the test releases it, by resource name. */
function gatedSink(): Sink & {
  started: string[];
  created: string[];
  whenStarted(name: string): Promise<void>;
  release(name: string): void;
} {
  const started: string[] = [];
  const created: string[] = [];
  const gates = new Map<string, () => void>();
  const watchers = new Map<string, () => void>();
  return {
    kind: "local",
    started,
    created,
    patch: noPatches,
    ...noGroupOps,
    whenStarted(name) {
      if (started.includes(name)) return Promise.resolve();
      return new Promise((resolve) => watchers.set(name, resolve));
    },
    release(name) {
      gates.get(name)?.();
    },
    async create(r: RenderedResource): Promise<CreatedResource> {
      const name = r.name ?? "";
      started.push(name);
      watchers.get(name)?.();
      await new Promise<void>((resolve) => gates.set(name, resolve));
      created.push(name);
      return {
        apiVersion: r.apiVersion,
        kind: r.kind,
        namespace: r.namespace,
        name,
        location: name,
      };
    },
  };
}

/** Lets the event loop turn a few times (no clock: the worker yields with setImmediate). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe("the delivery worker's slots", () => {
  it("delivers other runs while one sink call is slow", async () => {
    const journal = createMemoryJournal();
    const sink = gatedSink();
    const worker = createDeliveryWorker({ journal, sink, log: createCapturingLogger().log });
    const slowId = await recordRun(journal, ["slow"]);
    worker.start();
    worker.wake();
    await sink.whenStarted("slow");
    // Recorded after the slow run was claimed: a worker that waits for its whole round to end
    // before it claims again would never start this one while "slow" hangs.
    const fastId = await recordRun(journal, ["fast"]);
    worker.wake();
    await sink.whenStarted("fast");
    sink.release("fast");
    await turns(5);
    expect((await journal.getRuns(fastId))[0]?.state).toBe("delivered");
    expect((await journal.getRuns(slowId))[0]?.state).toBe("pending");
    expect(sink.created).toEqual(["fast"]);
    sink.release("slow");
    await worker.stop();
    expect((await journal.getRuns(slowId))[0]?.state).toBe("delivered");
  });

  it("keeps at most `concurrency` runs in flight and claims more as slots free", async () => {
    const journal = createMemoryJournal();
    const sink = gatedSink();
    const worker = createDeliveryWorker({
      journal,
      sink,
      log: createCapturingLogger().log,
      concurrency: 2,
    });
    for (const name of ["r1", "r2", "r3", "r4"]) await recordRun(journal, [name]);
    worker.start();
    await Promise.all([sink.whenStarted("r1"), sink.whenStarted("r2")]);
    await turns(10);
    expect(sink.started).toEqual(["r1", "r2"]);
    expect(worker.inFlight()).toBe(2);
    sink.release("r2");
    await sink.whenStarted("r3");
    await turns(10);
    expect(sink.started).toEqual(["r1", "r2", "r3"]);
    for (const name of ["r1", "r3"]) sink.release(name);
    await sink.whenStarted("r4");
    sink.release("r4");
    await worker.stop();
    expect([...sink.created].sort()).toEqual(["r1", "r2", "r3", "r4"]);
    expect(worker.inFlight()).toBe(0);
  });

  it("claims at least as many runs as the listener recorded since its last claim", async () => {
    const memory = createMemoryJournal();
    const limits: number[] = [];
    const journal: Journal = {
      ...memory,
      claimDueRuns(at, limit, leaseMs) {
        limits.push(limit);
        return memory.claimDueRuns(at, limit, leaseMs);
      },
    };
    const sink = gatedSink();
    const worker = createDeliveryWorker({
      journal,
      sink,
      log: createCapturingLogger().log,
      concurrency: 4,
      batch: 1,
    });
    for (const name of ["r1", "r2", "r3", "r4", "r5"]) {
      await recordRun(journal, [name]);
      worker.wake(); // as the listener does after each record
    }
    worker.start();
    await Promise.all(["r1", "r2", "r3", "r4"].map((n) => sink.whenStarted(n)));
    // Five recorded, four slots free: one claim of four, not four claims of `batch`.
    expect(limits[0]).toBe(4);
    expect(sink.started).toEqual(["r1", "r2", "r3", "r4"]);
    for (const name of ["r1", "r2", "r3", "r4"]) sink.release(name);
    await sink.whenStarted("r5");
    expect(limits.at(-1)).toBe(1); // no record since: `batch`
    sink.release("r5");
    await worker.stop();
    expect([...sink.created].sort()).toEqual(["r1", "r2", "r3", "r4", "r5"]);
  });

  it("shows the backlog and the runs in flight on /metrics", async () => {
    const journal = createMemoryJournal();
    const metrics = createMetrics(journal);
    const sink = gatedSink();
    const worker = createDeliveryWorker({
      journal,
      sink,
      log: createCapturingLogger().log,
      metrics,
      concurrency: 1,
    });
    const gauge = async (name: string): Promise<number | undefined> => {
      const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
      return m?.values[0]?.value;
    };
    for (const name of ["a", "b", "c"]) await recordRun(journal, [name]);
    expect(await gauge("hookline_delivery_queue_depth")).toBe(3);
    expect(await gauge("hookline_delivery_in_flight")).toBe(0);
    worker.start();
    await sink.whenStarted("a");
    expect(await gauge("hookline_delivery_in_flight")).toBe(1);
    sink.release("a");
    await sink.whenStarted("b");
    expect(await gauge("hookline_delivery_queue_depth")).toBe(2);
    sink.release("b");
    await sink.whenStarted("c");
    sink.release("c");
    await worker.stop();
    expect(await gauge("hookline_delivery_queue_depth")).toBe(0);
    expect(await gauge("hookline_delivery_in_flight")).toBe(0);
  });
});
