import type { Logger } from "../core/logger.js";
import { describeError } from "../errors/hookline-error.js";
import type { Journal, PlannedRun } from "../store/types.js";
import type { GroupLock } from "./group-lock.js";
import type { GroupAddress, GroupRun, GroupRunStore } from "./types.js";
import { byOrder } from "./by-order.js";

/** How often every group seen is decided again, whatever the watch said (a missed event, a dead replica). */
export const GROUP_RESYNC_MS = 30_000;

export interface GroupSchedulerOptions {
  store: GroupRunStore;
  journal: Journal;
  lock: GroupLock;
  /** Tells the delivery worker a start was journaled (worker.wake). */
  wake: () => void;
  log: Logger;
  /** Default GROUP_RESYNC_MS; 0: no periodic resync (tests). */
  resyncMs?: number;
  now?: () => Date;
  /** Told, after each pass, how many runs of the group wait pending (hookline_runs_queued). */
  onQueued?: (group: GroupAddress, pending: number) => void;
}

export interface GroupScheduler {
  /** Watches the store and resyncs every resyncMs. */
  start(): void;
  /** Decide for this group soon (a watch notification, a delivered create of a queued run). */
  poke(group: GroupAddress): void;
  /** Decides for this group now and waits for the pass (and any it made necessary). */
  schedule(group: GroupAddress): Promise<void>;
  /** Resolves once no pass is running or asked for; for tests. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The run's id in the journal: one per queued run (its order holds its own delivery key). */
export function startRunId(run: GroupRun): string {
  return `start.${run.namespace}.${run.name}.${run.order}`;
}

/**
 * The event that created a run, read from its order label: `<13-digit ms>.<eventId>.<trace
 * index>.<seq>` (the delivery key of a resource is `<eventId>.<traceIndex>.<seq>`).
 */
export function eventIdOfOrder(order: string): string | undefined {
  const parts = order.split(".");
  if (parts.length < 4 || !/^\d{13}$/.test(parts[0] ?? "")) return undefined;
  return parts.slice(1, -2).join(".");
}

export function groupIdOf(group: GroupAddress): string {
  return `${group.namespace}/${group.groupHash}`;
}

/**
 * The group scheduler (issue 12): when a group's runs change, it decides, under the group's
 * lock, which pending runs start. Free slots are max-running minus the runs running or being
 * cancelled minus the starts journaled and not yet delivered (a start that failed and waits for
 * its retry still holds its slot); the oldest pending runs (by order) fill them, each as a
 * journaled run of origin `group` with one StartDelivery, which the delivery worker sends like
 * any other (retried, never twice: the run id is the queued run's). Then max-keep-runs deletes
 * the finished runs beyond the newest N. One pass per group at a time; a change during a pass
 * makes one more pass after it.
 */
export function createGroupScheduler(options: GroupSchedulerOptions): GroupScheduler {
  const { store, journal, lock, log } = options;
  const now = options.now ?? (() => new Date());
  const resyncMs = options.resyncMs ?? GROUP_RESYNC_MS;
  /** Every group seen, by groupId (resynced periodically; dropped once it has no runs). */
  const known = new Map<string, GroupAddress>();
  /** The pass running per group, and whether another was asked for meanwhile. */
  const passes = new Map<string, { running: Promise<void>; again: boolean }>();
  let watcher: { stop(): Promise<void> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const decide = async (group: GroupAddress): Promise<void> => {
    const groupId = groupIdOf(group);
    const outcome = await lock.withLock(groupId, async () => {
      // The journal before the cluster: a start is patched before its run is saved delivered, so
      // one that is no longer pending here is running in the list read after (read the other way
      // round, a start delivered between the two reads was in neither, and a second run started).
      const starting = await journal.pendingStartsOfGroup(groupId);
      const runs = (await store.list(group)).sort(byOrder);
      if (runs.length === 0) {
        known.delete(groupId);
        options.onQueued?.(group, 0);
        return;
      }
      // The newest run's policy is the group's (a changed template takes effect from it on).
      const newest = runs[runs.length - 1] as GroupRun;
      const active = runs.filter((r) => r.phase === "running" || r.phase === "cancelling").length;
      let free = newest.maxRunning - active - starting;
      const pending = runs.filter((r) => r.phase === "pending");
      let started = 0;
      for (const run of pending) {
        if (free <= 0) break;
        const result = await recordStart(run, group, groupId);
        if (result === "recorded") {
          free--;
          started++;
        }
      }
      options.onQueued?.(group, pending.length - started);
      if (started > 0) options.wake();
      await keepNewest(runs, newest.maxKeepRuns);
    });
    if (!outcome.ran) log.debug("another replica decides for the group now", { group: groupId });
  };

  const recordStart = async (
    run: GroupRun,
    group: GroupAddress,
    groupId: string,
  ): Promise<"recorded" | "exists" | "no-event"> => {
    const eventId = eventIdOfOrder(run.order);
    const planned: PlannedRun = {
      id: startRunId(run),
      eventId: eventId ?? "",
      origin: { kind: "group", groupId, group: run.group ?? group.groupHash },
      namespace: run.namespace,
      serviceAccountName: undefined,
      deliveries: [
        {
          kind: "start",
          seq: 0,
          deliveryKey: `start.${run.namespace}.${run.name}`,
          target: {
            apiVersion: run.apiVersion,
            kind: run.kind,
            namespace: run.namespace,
            name: run.name,
          },
        },
      ],
    };
    const result =
      eventId === undefined ? "no-event" : await journal.recordGroupRun(planned, now());
    if (result === "no-event") {
      // Not hookline's (no order label it wrote), or its event was pruned: nothing to hang a
      // journaled start on. Left pending for a person; the queue goes on past it.
      log.warn("a queued run has no event in the journal: not started", {
        group: groupId,
        kind: run.kind,
        namespace: run.namespace,
        name: run.name,
      });
    } else if (result === "recorded") {
      log.info("queued run to start", {
        group: groupId,
        kind: run.kind,
        namespace: run.namespace,
        name: run.name,
      });
    }
    return result;
  };

  /** max-keep-runs: the finished runs beyond the newest N (by order) are deleted. */
  const keepNewest = async (runs: readonly GroupRun[], keep: number | undefined): Promise<void> => {
    if (keep === undefined) return;
    const done = runs.filter((r) => r.phase === "done");
    for (const run of done.slice(0, Math.max(0, done.length - keep))) {
      await store.delete(run);
      log.info("finished run deleted (max-keep-runs)", {
        kind: run.kind,
        namespace: run.namespace,
        name: run.name,
        keep,
      });
    }
  };

  const schedule = (group: GroupAddress): Promise<void> => {
    const groupId = groupIdOf(group);
    if (!stopped) known.set(groupId, group);
    const current = passes.get(groupId);
    if (current !== undefined) {
      current.again = true;
      return current.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          try {
            await decide(group);
          } catch (err) {
            // The next change or the resync tries again; nothing was half-decided (each start
            // is one journal write).
            log.error("group scheduler pass failed", {
              group: groupId,
              error: describeError(err),
            });
          }
        } while (entry.again && !stopped);
      } finally {
        passes.delete(groupId);
      }
    })();
    passes.set(groupId, entry);
    return entry.running;
  };

  return {
    start() {
      if (watcher !== undefined || stopped) return;
      watcher = store.watch((group) => void schedule(group));
      if (resyncMs > 0) {
        timer = setInterval(() => {
          for (const group of known.values()) void schedule(group);
        }, resyncMs);
        timer.unref();
      }
    },
    poke(group) {
      void schedule(group);
    },
    schedule,
    async idle() {
      while (passes.size > 0) await Promise.all([...passes.values()].map((p) => p.running));
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      await watcher?.stop();
      watcher = undefined;
      await Promise.all([...passes.values()].map((p) => p.running));
    },
  };
}
