import { storedTraceColumnWithSet } from "./read-stored-traces.js";
import { notApplicableSet } from "./not-applicable-set.js";
import type { NotApplicableTrigger } from "../listener/types.js";
import { bucketIndex, toEventCountBuckets } from "./event-counts.js";
import {
  blocksRedelivery,
  decodeCursor,
  encodeCursor,
  matchesFilter,
  summarize,
} from "./event-summary.js";
import { cloneRun } from "./clone-run.js";
import { newRun } from "./new-run.js";
import {
  markSuperseded,
  supersededBy,
  supersededOnArrival,
  type GroupMember,
} from "./supersede.js";
import {
  listenerKey,
  type DeliveryIdOwner,
  type EventCountBucket,
  type EventCountQuery,
  type EventFilter,
  type EventPage,
  type Journal,
  type ClaimedRun,
  type GroupRunRecordResult,
  type RecordResult,
  type RunRecord,
  type SaveResult,
  type StoredBytes,
  type StoredEvent,
} from "./types.js";

/**
 * The journal in memory: nothing survives the process. For tests and the bench's comparison row,
 * and the reference the contract suite checks the real stores against.
 */
export interface MemoryJournalOptions {
  /**
   * Keep at most this many events: past it, the oldest whose deliveries are finished are dropped
   * (as retention would), so a long-running process does not grow without bound. Default: no limit.
   */
  maxEvents?: number;
}

/** Runs of an event in trace order; the listener's own (cloudEventURI) after the triggers'. */
function runOrder(run: RunRecord): number {
  return run.origin.kind === "trigger" ? run.origin.traceIndex : Number.MAX_SAFE_INTEGER;
}

export function createMemoryJournal(options: MemoryJournalOptions = {}): Journal {
  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  const events = new Map<string, StoredEvent>();
  const owners = new Map<string, string>();
  /** `fence`: moves on at every claim and save; a save must bring the value its claim was given. */
  const runs = new Map<string, { run: RunRecord; lockedUntil: number; fence: number }>();
  // Indexes, so that nothing scans every run ever recorded on the request path.
  const runIdsByEvent = new Map<string, string[]>();
  const pending = new Set<string>();
  /** Run ids by RunConcurrency.groupId, for supersede (issue 12). */
  const runIdsByGroup = new Map<string, Set<string>>();
  const dropRun = (id: string): void => {
    const groupId = runs.get(id)?.run.concurrency?.groupId;
    if (groupId !== undefined) {
      const ids = runIdsByGroup.get(groupId);
      ids?.delete(id);
      if (ids?.size === 0) runIdsByGroup.delete(groupId);
    }
    runs.delete(id);
  };
  const membersOf = (groupId: string): GroupMember[] =>
    [...(runIdsByGroup.get(groupId) ?? [])].flatMap((id) => {
      const r = runs.get(id);
      const c = r?.run.concurrency;
      return r === undefined || c === undefined
        ? []
        : [
            {
              id,
              eventId: r.run.eventId,
              state: r.run.state,
              order: c.order,
              lockedUntil: r.lockedUntil,
              deliveries: r.run.deliveries,
              concurrency: c,
            },
          ];
    });
  const runsOf = (eventId: string): RunRecord[] =>
    (runIdsByEvent.get(eventId) ?? []).flatMap((id) => {
      const r = runs.get(id);
      return r === undefined ? [] : [cloneRun(r.run)];
    });
  /** Drops the oldest finished events beyond maxEvents (Map order is insertion order). */
  const evict = (): void => {
    if (events.size <= maxEvents) return;
    // A bounded look from the oldest: events still delivering are skipped, and tried again later.
    let looked = 0;
    for (const [id, event] of events) {
      if (events.size <= maxEvents || ++looked > 64) return;
      const mine = runIdsByEvent.get(id) ?? [];
      if (mine.some((r) => pending.has(r))) continue;
      for (const r of mine) dropRun(r);
      runIdsByEvent.delete(id);
      events.delete(id);
      release(event);
      if (event.deliveryId !== undefined) {
        const key = ownerKey(listenerKey(event.listener), event.deliveryId);
        if (owners.get(key) === id) owners.delete(key);
      }
    }
  };
  const ownerKey = (listener: string, deliveryId: string): string => `${listener}\n${deliveryId}`;
  /** The event holding a delivery id, and whether it blocks a redelivery (states read, not cloned). */
  const ownerOf = (key: string): DeliveryIdOwner | undefined => {
    const id = owners.get(key);
    const event = id === undefined ? undefined : events.get(id);
    if (event === undefined) return undefined;
    const states = (runIdsByEvent.get(event.id) ?? []).flatMap((r) => runs.get(r)?.run.state ?? []);
    return { eventId: event.id, blocksRedelivery: blocksRedelivery(event.outcome, states) };
  };
  const put = (run: RunRecord, lockedUntil: number, fence: number): void => {
    runs.set(run.id, { run, lockedUntil, fence });
    pending.delete(run.id); // re-added at the end: a retried run queues behind those due sooner
    if (run.state === "pending") pending.add(run.id);
  };
  /** Whether an event has a run of the group (by readable key or groupId); no group: any event. */
  const inGroup = (eventId: string, group: string | undefined): boolean =>
    group === undefined ||
    (runIdsByEvent.get(eventId) ?? []).some((id) => {
      const c = runs.get(id)?.run.concurrency;
      return c !== undefined && (c.groupId === group || c.group === group);
    });
  const hasPendingRun = (eventId: string): boolean =>
    (runIdsByEvent.get(eventId) ?? []).some((id) => pending.has(id));
  /**
   * The not-applicable sets, as the SQL journals keep them: one per distinct list, the events of
   * a set holding its one array, counted once in storedBytes and dropped with its last event.
   */
  const sets = new Map<
    string,
    { list: readonly NotApplicableTrigger[]; bytes: number; refs: number }
  >();
  const intern = (event: StoredEvent): StoredEvent => {
    const list = event.notApplicable;
    if (list === undefined || list.length === 0) return event;
    const set = notApplicableSet(list);
    let held = sets.get(set.id);
    if (held === undefined) sets.set(set.id, (held = { list, bytes: set.packed.length, refs: 0 }));
    held.refs += 1;
    return held.list === list ? event : { ...event, notApplicable: held.list };
  };
  const release = (event: StoredEvent): void => {
    const list = event.notApplicable;
    if (list === undefined || list.length === 0) return;
    const id = notApplicableSet(list).id;
    const held = sets.get(id);
    if (held !== undefined && --held.refs <= 0) sets.delete(id);
  };
  /** Deletes an event and its runs, and frees its delivery id. */
  const remove = (e: StoredEvent): void => {
    for (const id of runIdsByEvent.get(e.id) ?? []) dropRun(id);
    runIdsByEvent.delete(e.id);
    events.delete(e.id);
    release(e);
    if (e.deliveryId !== undefined) {
      // An event can hold only its own delivery id.
      const key = ownerKey(listenerKey(e.listener), e.deliveryId);
      if (owners.get(key) === e.id) owners.delete(key);
    }
  };

  return {
    kind: "memory",
    findDeliveryIdOwner(listener, deliveryId): Promise<DeliveryIdOwner | undefined> {
      return Promise.resolve(ownerOf(ownerKey(listener, deliveryId)));
    },
    record(given, planned): Promise<RecordResult> {
      const event = intern(given);
      // Checked and taken with no await in between: concurrent records of one id cannot both win.
      if (event.deliveryId !== undefined) {
        const key = ownerKey(listenerKey(event.listener), event.deliveryId);
        const holder = ownerOf(key);
        if (holder?.blocksRedelivery === true) {
          events.set(event.id, {
            ...event,
            outcome: "duplicate",
            status: 200,
            duplicateOf: holder.eventId,
          });
          return Promise.resolve({ kind: "duplicate", originalEventId: holder.eventId });
        }
        owners.set(key, event.id);
      }
      events.set(event.id, event);
      const superseded: string[] = [];
      const nowMs = Date.now();
      for (const p of planned) {
        let run = newRun(p, event.receivedAt, event.traceContext);
        const groupId = p.concurrency?.groupId;
        if (groupId !== undefined) {
          const members = membersOf(groupId);
          const newer = supersededOnArrival(p, members);
          if (newer !== undefined) {
            run = markSuperseded(run, newer);
            superseded.push(run.id);
          } else {
            for (const m of supersededBy(p, members, nowMs)) {
              const held = runs.get(m.id);
              if (held === undefined) continue;
              // The fence moves on: a worker whose lease lapsed cannot save over the supersede.
              put(markSuperseded(held.run, event.id), 0, held.fence + 1);
              superseded.push(m.id);
            }
          }
          const ids = runIdsByGroup.get(groupId) ?? new Set<string>();
          ids.add(run.id);
          runIdsByGroup.set(groupId, ids);
        }
        put(run, 0, 0);
      }
      runIdsByEvent.set(
        event.id,
        planned.map((p) => p.id),
      );
      evict();
      return Promise.resolve(
        superseded.length === 0 ? { kind: "stored" } : { kind: "stored", superseded },
      );
    },
    recordGroupRun(planned, now): Promise<GroupRunRecordResult> {
      if (planned.origin.kind !== "group")
        return Promise.reject(new Error("recordGroupRun takes runs of origin group"));
      if (runs.has(planned.id)) return Promise.resolve("exists");
      const event = events.get(planned.eventId);
      if (event === undefined) return Promise.resolve("no-event");
      put(newRun(planned, now, event.traceContext), 0, 0);
      runIdsByEvent.set(event.id, [...(runIdsByEvent.get(event.id) ?? []), planned.id]);
      return Promise.resolve("recorded");
    },
    pendingStartsOfGroup(groupId): Promise<number> {
      let n = 0;
      for (const id of pending) {
        const origin = runs.get(id)?.run.origin;
        if (origin?.kind === "group" && origin.groupId === groupId) n++;
      }
      return Promise.resolve(n);
    },
    claimDueRuns(now, limit, leaseMs): Promise<ClaimedRun[]> {
      // `pending` is in insertion order (a run put back for a retry goes to its end). The oldest due
      // runs are taken from a bounded window at its front, so a large backlog is not sorted whole
      // on every claim; within the window, the oldest due go first.
      const window: { run: RunRecord; lockedUntil: number; fence: number }[] = [];
      const windowSize = Math.max(limit * 8, 256);
      for (const id of pending) {
        const r = runs.get(id);
        if (r !== undefined && r.run.nextAttemptAt <= now && r.lockedUntil <= now.getTime())
          window.push(r);
        if (window.length >= windowSize) break;
      }
      const due = window
        .sort((a, b) => a.run.nextAttemptAt.getTime() - b.run.nextAttemptAt.getTime())
        .slice(0, limit);
      for (const r of due) {
        r.lockedUntil = now.getTime() + leaseMs;
        r.fence++;
      }
      return Promise.resolve(due.map((r) => ({ ...cloneRun(r.run), claimToken: r.fence })));
    },
    claimDueRunsOfEvent(eventId, now, leaseMs): Promise<ClaimedRun[]> {
      const due = (runIdsByEvent.get(eventId) ?? []).flatMap((id) => {
        const r = runs.get(id);
        return r !== undefined &&
          pending.has(id) &&
          r.run.nextAttemptAt <= now &&
          r.lockedUntil <= now.getTime()
          ? [r]
          : [];
      });
      for (const r of due) {
        r.lockedUntil = now.getTime() + leaseMs;
        r.fence++;
      }
      return Promise.resolve(due.map((r) => ({ ...cloneRun(r.run), claimToken: r.fence })));
    },
    saveRun(claimed): Promise<SaveResult> {
      const held = runs.get(claimed.id);
      if (held?.fence !== claimed.claimToken) return Promise.resolve({ kind: "claim-lost" });
      const { claimToken, ...run } = claimed;
      put(cloneRun(run), 0, claimToken + 1);
      return Promise.resolve({ kind: "saved" });
    },
    getEvent(id): Promise<StoredEvent | undefined> {
      return Promise.resolve(events.get(id));
    },
    getRuns(eventId): Promise<RunRecord[]> {
      return Promise.resolve(runsOf(eventId).sort((a, b) => runOrder(a) - runOrder(b)));
    },
    listEvents(filter: EventFilter): Promise<EventPage> {
      const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      const list = [...events.values()]
        .filter((e) => matchesFilter(e, filter) && inGroup(e.id, filter.group))
        .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.id < b.id ? 1 : -1))
        .filter(
          (e) =>
            after === undefined ||
            e.receivedAt.getTime() < after.at ||
            (e.receivedAt.getTime() === after.at && e.id < after.id),
        );
      const page = list.slice(0, filter.limit);
      const last = page[page.length - 1];
      return Promise.resolve({
        events: page.map(summarize),
        next: list.length > filter.limit && last !== undefined ? encodeCursor(last) : undefined,
      });
    },
    countEvents(query: EventCountQuery): Promise<EventCountBucket[]> {
      const rows: { bucket: number; outcome: string; n: number }[] = [];
      for (const e of events.values()) {
        if (query.listener !== undefined && listenerKey(e.listener) !== listenerKey(query.listener))
          continue;
        const bucket = bucketIndex(query, e.receivedAt.getTime());
        if (bucket !== undefined) rows.push({ bucket, outcome: e.outcome, n: 1 });
      }
      return Promise.resolve(toEventCountBuckets(query, rows));
    },
    pendingStats(): Promise<{ pending: number; oldestDueAt: Date | undefined }> {
      let oldest: Date | undefined;
      for (const id of pending) {
        const at = runs.get(id)?.run.nextAttemptAt;
        if (at !== undefined && (oldest === undefined || at < oldest)) oldest = at;
      }
      return Promise.resolve({ pending: pending.size, oldestDueAt: oldest });
    },
    prune(before): Promise<number> {
      let n = 0;
      for (const e of [...events.values()]) {
        if (e.receivedAt >= before || hasPendingRun(e.id)) continue;
        remove(e);
        n++;
      }
      return Promise.resolve(n);
    },
    storedBytes(): Promise<StoredBytes> {
      let total = 0;
      let filteredBodies = 0;
      for (const e of events.values()) {
        const body = e.body.kind === "kept" ? e.body.bytes.length : 0;
        total += body + e.url.length + JSON.stringify(e.headers).length;
        const list = e.notApplicable;
        const set = list === undefined || list.length === 0 ? undefined : notApplicableSet(list);
        total += JSON.stringify(storedTraceColumnWithSet(e.traces, set)).length;
        if (e.outcome === "filtered" && e.body.kind === "kept") filteredBodies += body;
      }
      for (const r of runs.values()) total += JSON.stringify(r.run.deliveries).length;
      for (const set of sets.values()) total += set.bytes;
      return Promise.resolve({ total, filteredBodies });
    },
    evictFiltered(bytes): Promise<number> {
      const candidates = [...events.values()]
        .filter((e) => e.outcome === "filtered" && e.body.kind === "kept" && !hasPendingRun(e.id))
        .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : 1));
      let freed = 0;
      let n = 0;
      for (const e of candidates) {
        if (freed >= bytes || e.body.kind !== "kept") break;
        freed += e.body.bytes.length;
        remove(e);
        n++;
      }
      return Promise.resolve(n);
    },
    ping: () => Promise.resolve(true),
    health: () => Promise.resolve({ ready: true }),
    close: () => Promise.resolve(),
  };
}
