import { describe, expect, it } from "vitest";
import { createGroupScheduler, eventIdOfOrder } from "../../../src/concurrency/group-scheduler.js";
import { createMutexGroupLock, type GroupLock } from "../../../src/concurrency/group-lock.js";
import type { GroupAddress, GroupRun } from "../../../src/concurrency/types.js";
import {
  createDeliveryWorker,
  type DeliveryWorker,
} from "../../../src/delivery/delivery-worker.js";
import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import type { Journal } from "../../../src/store/types.js";
import type { Sink } from "../../../src/sinks/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import {
  createFakeGroupRunStore,
  type FakeGroupRunStore,
} from "../../support/fake-group-run-store.js";
import { noPatches } from "../../support/no-patches.js";
import { makeEvent } from "../store/journal-contract.js";

const GROUP: GroupAddress = {
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  namespace: "ci",
  groupHash: "g",
};

interface Harness {
  journal: Journal;
  store: FakeGroupRunStore;
  worker: DeliveryWorker;
  /** Adds a run of the group made by an event received at `ms` (its order, as the planner writes it). */
  add(name: string, ms: number, over?: Partial<GroupRun>): Promise<void>;
  /** Adds runs in one turn of the event loop, in this order. */
  addAll(runs: [string, number][]): Promise<void>;
  /** Lets the schedulers and the worker go until nothing is left to do. */
  settle(): Promise<void>;
  schedulers: ReturnType<typeof createGroupScheduler>[];
  /** The clock of the worker and the schedulers. */
  now: () => Date;
}

function harness(
  opts: { maxRunning?: number; maxKeepRuns?: number; schedulers?: number; lock?: GroupLock } = {},
): Harness {
  const journal = createMemoryJournal();
  const store = createFakeGroupRunStore();
  const log = createCapturingLogger().log;
  const clock = { now: Date.now() };
  const sink: Sink = {
    kind: "local",
    create: () => Promise.reject(new Error("no creates here")),
    patch: noPatches,
    cancel: () => Promise.resolve([]),
    start: (target) => store.start(target),
  };
  const worker = createDeliveryWorker({ journal, sink, log, now: () => new Date(clock.now) });
  const lock = opts.lock ?? createMutexGroupLock();
  const schedulers = Array.from({ length: opts.schedulers ?? 1 }, () =>
    createGroupScheduler({
      store,
      journal,
      lock,
      wake: () => undefined,
      log,
      resyncMs: 0,
      now: () => new Date(clock.now),
    }),
  );
  for (const s of schedulers) s.start();
  const idle = () => Promise.all(schedulers.map((s) => s.idle()));
  const queued = async (name: string, ms: number, over: Partial<GroupRun>): Promise<GroupRun> => {
    const event = makeEvent({ receivedAt: new Date(ms) });
    await journal.record(event, []);
    return {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      namespace: "ci",
      name,
      order: `${String(ms).padStart(13, "0")}.${event.id}.0.0`,
      phase: "pending",
      maxRunning: opts.maxRunning ?? 1,
      maxKeepRuns: opts.maxKeepRuns,
      ...over,
    };
  };
  return {
    journal,
    store,
    worker,
    schedulers,
    now: () => new Date(clock.now),
    async add(name, ms, over = {}) {
      store.add(await queued(name, ms, over));
    },
    async addAll(list) {
      const made = await Promise.all(list.map(([name, ms]) => queued(name, ms, {})));
      for (const run of made) store.add(run);
    },
    async settle() {
      for (let i = 0; i < 20; i++) {
        await idle();
        await worker.drain();
        await idle();
        clock.now += 3600_000; // past any backoff: a retried start is due again
        const { pending } = await journal.pendingStats(new Date(clock.now));
        if (pending === 0 || store.failStarts) return;
      }
    },
  };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The interleaving two unlocked schedulers can meet: both count the starts not yet delivered
 * (none) and list the group (the oldest run pending), one journals its start and a fast worker
 * (another replica's) delivers it at once, then the other finds that start journaled already and
 * fills the "free" slot with the next run. The lock keeps the second pass from reading before the
 * first has finished.
 */
function interleave(h: Harness): void {
  const record = h.journal.recordGroupRun.bind(h.journal);
  h.journal.recordGroupRun = async (run, now) => {
    const result = await record(run, now);
    await h.worker.drain();
    return result;
  };
  h.store.afterListRead = async () => {
    await nextTurn();
    await nextTurn();
  };
}

describe("group scheduler", () => {
  it("reads the event id from a run's order", () => {
    expect(eventIdOfOrder("0001700000000000.ev-1.0.2")).toBeUndefined(); // 16 digits
    expect(eventIdOfOrder("1700000000000.8b0c-uuid.0.2")).toBe("8b0c-uuid");
    expect(eventIdOfOrder("1700000000000.x")).toBeUndefined();
  });

  it("max-running 1: starts the oldest, the next when it finishes, in order", async () => {
    const h = harness();
    // Added in one turn (as a list after a restart finds them), newest first.
    await h.addAll([
      ["c", 3000],
      ["a", 1000],
      ["b", 2000],
    ]);
    await h.settle();
    expect(h.store.started).toEqual(["a"]);
    expect(h.store.phaseOf("b")).toBe("pending");
    h.store.finish("a");
    await h.settle();
    expect(h.store.started).toEqual(["a", "b"]);
    h.store.finish("b");
    await h.settle();
    expect(h.store.started).toEqual(["a", "b", "c"]);
    expect(h.store.maxActive).toBe(1);
    // Each start is a journaled run of origin group, on the queued run's event.
    const runs = (await h.journal.listEvents({ limit: 10 })).events;
    const starts = (await Promise.all(runs.map((e) => h.journal.getRuns(e.id)))).flat();
    expect(
      starts.map((r) => [r.origin.kind, r.state, r.deliveries[0]?.deliveryKey]).sort(),
    ).toEqual([
      ["group", "delivered", "start.ci.a"],
      ["group", "delivered", "start.ci.b"],
      ["group", "delivered", "start.ci.c"],
    ]);
  });

  it("max-running 2: two at once, the third when one finishes", async () => {
    const h = harness({ maxRunning: 2 });
    for (const [i, name] of ["a", "b", "c", "d"].entries()) await h.add(name, 1000 + i);
    await h.settle();
    expect(h.store.started).toEqual(["a", "b"]);
    h.store.finish("b");
    await h.settle();
    expect(h.store.started).toEqual(["a", "b", "c"]);
    expect(h.store.phaseOf("d")).toBe("pending");
    expect(h.store.maxActive).toBe(2);
  });

  it("counts running and cancelling runs as taking slots, and finished ones not", async () => {
    const h = harness({ maxRunning: 2 });
    await h.add("x", 500, { phase: "cancelling" });
    await h.add("y", 600, { phase: "done" });
    await h.add("a", 1000);
    await h.add("b", 2000);
    await h.settle();
    expect(h.store.started).toEqual(["a"]);
  });

  it("queue-latest: an older pending run cancelled (done) is passed over for the newest", async () => {
    const h = harness();
    await h.add("a", 1000, { phase: "running" });
    await h.add("b", 2000, { phase: "done" }); // cancelled while pending by the newer run's cancel
    await h.add("c", 3000);
    await h.settle();
    expect(h.store.started).toEqual([]);
    h.store.finish("a");
    await h.settle();
    expect(h.store.started).toEqual(["c"]);
  });

  it("max-keep-runs: deletes the finished runs beyond the newest N", async () => {
    const h = harness({ maxKeepRuns: 2 });
    for (const [i, name] of ["a", "b", "c", "d"].entries())
      await h.add(name, 1000 + i, { phase: "done" });
    await h.add("e", 2000, { phase: "running" });
    await h.settle();
    expect(h.store.names()).toEqual(["c", "d", "e"]);
  });

  it("two schedulers on one lock never start more than max-running", async () => {
    const h = harness({ schedulers: 2 });
    interleave(h);
    for (let i = 0; i < 5; i++) await h.add(`r${i}`, 1000 + i);
    for (let i = 0; i < 5; i++) {
      await Promise.all(h.schedulers.map((s) => s.schedule(GROUP)));
      await h.settle();
      expect(h.store.started).toHaveLength(i + 1);
      h.store.finish(`r${i}`);
    }
    expect(h.store.started).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    expect(h.store.maxActive).toBe(1);
  });

  it("the same interleaving without a shared lock starts two (what the lock is for)", async () => {
    const h = harness({ schedulers: 0 });
    await h.add("a", 1000);
    await h.add("b", 2000);
    interleave(h);
    const unlocked = [1, 2].map(() =>
      createGroupScheduler({
        store: h.store,
        journal: h.journal,
        lock: createMutexGroupLock(), // a lock each: the two do not exclude each other
        wake: () => undefined,
        log: createCapturingLogger().log,
        resyncMs: 0,
        now: h.now,
      }),
    );
    await Promise.all(unlocked.map((s) => s.schedule(GROUP)));
    expect(h.store.maxActive).toBe(2);
  });

  it("a start that fails stays pending and keeps its slot", async () => {
    const h = harness();
    h.store.failStarts = true;
    await h.add("a", 1000);
    await h.add("b", 2000);
    await h.settle();
    expect(h.store.phaseOf("a")).toBe("pending");
    await expect(h.journal.pendingStartsOfGroup("ci/g")).resolves.toBe(1);
    // Deciding again while the start waits for its retry starts nothing else.
    await h.schedulers[0]?.schedule(GROUP);
    await expect(h.journal.pendingStartsOfGroup("ci/g")).resolves.toBe(1);
    h.store.failStarts = false;
    await h.settle();
    expect(h.store.started).toEqual(["a"]);
    expect(h.store.phaseOf("b")).toBe("pending");
  });

  it("a start delivered while a pass reads the group still holds its slot (the journal is read first)", async () => {
    const h = harness();
    await h.add("a", 1000);
    await h.add("b", 2000);
    await h.schedulers[0]?.idle();
    // a's start is journaled, not yet sent. The next pass reads the group; the worker (another
    // replica's, say) sends a's start between that read and the pass's decision.
    expect(h.store.started).toEqual([]);
    h.store.afterListRead = async () => {
      h.store.afterListRead = undefined;
      await h.worker.drain();
    };
    await h.schedulers[0]?.schedule(GROUP);
    await h.settle();
    expect(h.store.started).toEqual(["a"]);
    expect(h.store.phaseOf("b")).toBe("pending");
    expect(h.store.maxActive).toBe(1);
  });
});
