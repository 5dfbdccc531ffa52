import { HooklineError } from "../../src/errors/hookline-error.js";
import type {
  CancelledRun,
  GroupAddress,
  GroupRun,
  GroupRunStore,
} from "../../src/concurrency/types.js";
import type { StartDelivery } from "../../src/store/types.js";

/**
 * A GroupRunStore in memory, for the group scheduler's tests: runs are added and finished by the
 * test, started by `start` (a sink's Sink.start), and every change is announced to the watchers.
 * It records the order runs were started in and the most runs of a group ever running at once.
 */
export interface FakeGroupRunStore extends GroupRunStore {
  add(run: GroupRun): void;
  finish(name: string): void;
  phaseOf(name: string): GroupRun["phase"] | undefined;
  names(): string[];
  /** A Sink.start: pending → running; with `failStarts` set, a retryable failure instead. */
  start(target: StartDelivery["target"]): Promise<CancelledRun>;
  failStarts: boolean;
  readonly started: string[];
  /** The most runs (running or cancelling) one group ever had at once. */
  readonly maxActive: number;
  /** Called inside `list` before it answers (tests interleave two schedulers there). */
  beforeList?: () => Promise<void>;
  /** Called after `list` has read the runs and before it answers (the answer then is stale). */
  afterListRead?: (() => Promise<void>) | undefined;
}

export function createFakeGroupRunStore(): FakeGroupRunStore {
  const runs = new Map<string, GroupRun>();
  const watchers = new Set<(group: GroupAddress) => void>();
  const started: string[] = [];
  let maxActive = 0;
  const addressOf = (name: string): GroupAddress | undefined => groups.get(name);
  const groups = new Map<string, GroupAddress>();
  const notify = (name: string): void => {
    const group = addressOf(name);
    if (group !== undefined) for (const w of watchers) w(group);
  };
  const measure = (): void => {
    const byGroup = new Map<string, number>();
    for (const [name, r] of runs) {
      if (r.phase !== "running" && r.phase !== "cancelling") continue;
      const key = groups.get(name)?.groupHash ?? "";
      byGroup.set(key, (byGroup.get(key) ?? 0) + 1);
    }
    for (const n of byGroup.values()) maxActive = Math.max(maxActive, n);
  };
  const store: FakeGroupRunStore = {
    failStarts: false,
    started,
    get maxActive() {
      return maxActive;
    },
    add(run) {
      runs.set(run.name, { ...run });
      groups.set(run.name, {
        apiVersion: run.apiVersion,
        kind: run.kind,
        namespace: run.namespace,
        groupHash: "g",
      });
      measure();
      notify(run.name);
    },
    finish(name) {
      const run = runs.get(name);
      if (run === undefined) throw new Error(`no run ${name}`);
      run.phase = "done";
      notify(name);
    },
    phaseOf: (name) => runs.get(name)?.phase,
    names: () => [...runs.keys()].sort(),
    start(target) {
      const run = runs.get(target.name);
      if (store.failStarts)
        return Promise.reject(
          new HooklineError("HL_SINK_WRITE_FAILED", "the fake cannot start runs now", {
            retryable: true,
          }),
        );
      if (run?.phase === "pending") {
        run.phase = "running";
        started.push(target.name);
        measure();
        notify(target.name);
      }
      return Promise.resolve({
        kind: target.kind,
        namespace: target.namespace,
        name: target.name,
        location: `fake/${target.name}`,
      });
    },
    async list(group) {
      await store.beforeList?.();
      const read = [...runs.entries()]
        .filter(([name]) => groups.get(name)?.namespace === group.namespace)
        .map(([, r]) => ({ ...r }));
      await store.afterListRead?.();
      return read;
    },
    delete(run) {
      runs.delete(run.name);
      notify(run.name);
      groups.delete(run.name);
      return Promise.resolve();
    },
    watch(onChange) {
      watchers.add(onChange);
      return {
        stop: () => {
          watchers.delete(onChange);
          return Promise.resolve();
        },
      };
    },
  };
  return store;
}
