import {
  blocksRedelivery,
  decodeCursor,
  encodeCursor,
  matchesFilter,
  summarize,
} from "./event-summary.js";
import { newRun } from "./new-run.js";
import {
  listenerKey,
  type DeliveryIdOwner,
  type EventFilter,
  type EventPage,
  type Journal,
  type RecordResult,
  type RunRecord,
  type StoredEvent,
} from "./types.js";

/**
 * The journal in memory: nothing survives the process. For tests and the bench's comparison row,
 * and the reference the contract suite checks the real stores against.
 */
export function createMemoryJournal(): Journal {
  const events = new Map<string, StoredEvent>();
  const owners = new Map<string, string>();
  const runs = new Map<string, { run: RunRecord; lockedUntil: number }>();
  const runsOf = (eventId: string): RunRecord[] =>
    [...runs.values()].filter((r) => r.run.eventId === eventId).map((r) => structuredClone(r.run));

  return {
    kind: "memory",
    findDeliveryIdOwner(listener, deliveryId): Promise<DeliveryIdOwner | undefined> {
      const id = owners.get(`${listener}\n${deliveryId}`);
      const event = id === undefined ? undefined : events.get(id);
      if (event === undefined) return Promise.resolve(undefined);
      return Promise.resolve({
        eventId: event.id,
        blocksRedelivery: blocksRedelivery(
          event,
          runsOf(event.id).map((r) => r.state),
        ),
      });
    },
    record(event, planned): Promise<RecordResult> {
      // Checked and taken with no await in between: concurrent records of one id cannot both win.
      if (event.deliveryId !== undefined) {
        const key = `${listenerKey(event.listener)}\n${event.deliveryId}`;
        const holderId = owners.get(key);
        const holder = holderId === undefined ? undefined : events.get(holderId);
        if (
          holder !== undefined &&
          blocksRedelivery(
            holder,
            runsOf(holder.id).map((r) => r.state),
          )
        ) {
          events.set(event.id, {
            ...event,
            outcome: "duplicate",
            status: 200,
            duplicateOf: holder.id,
          });
          return Promise.resolve({ kind: "duplicate", originalEventId: holder.id });
        }
        owners.set(key, event.id);
      }
      events.set(event.id, event);
      for (const p of planned) runs.set(p.id, { run: newRun(p, event.receivedAt), lockedUntil: 0 });
      return Promise.resolve({ kind: "stored" });
    },
    claimDueRuns(now, limit, leaseMs): Promise<RunRecord[]> {
      const due = [...runs.values()]
        .filter(
          (r) =>
            r.run.state === "pending" &&
            r.run.nextAttemptAt <= now &&
            r.lockedUntil <= now.getTime(),
        )
        .sort((a, b) => a.run.nextAttemptAt.getTime() - b.run.nextAttemptAt.getTime())
        .slice(0, limit);
      for (const r of due) r.lockedUntil = now.getTime() + leaseMs;
      return Promise.resolve(due.map((r) => structuredClone(r.run)));
    },
    saveRun(run): Promise<void> {
      runs.set(run.id, { run: structuredClone(run), lockedUntil: 0 });
      return Promise.resolve();
    },
    getEvent(id): Promise<StoredEvent | undefined> {
      return Promise.resolve(events.get(id));
    },
    getRuns(eventId): Promise<RunRecord[]> {
      return Promise.resolve(runsOf(eventId).sort((a, b) => a.traceIndex - b.traceIndex));
    },
    listEvents(filter: EventFilter): Promise<EventPage> {
      const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      const list = [...events.values()]
        .filter((e) => matchesFilter(e, filter))
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
    pendingStats(): Promise<{ pending: number; oldestDueAt: Date | undefined }> {
      const pending = [...runs.values()]
        .filter((r) => r.run.state === "pending")
        .map((r) => r.run.nextAttemptAt);
      const oldest = pending.sort((a, b) => a.getTime() - b.getTime())[0];
      return Promise.resolve({ pending: pending.length, oldestDueAt: oldest });
    },
    prune(before): Promise<number> {
      let n = 0;
      for (const e of [...events.values()]) {
        if (e.receivedAt >= before) continue;
        const mine = [...runs.values()].filter((r) => r.run.eventId === e.id);
        if (mine.some((r) => r.run.state === "pending")) continue;
        for (const r of mine) runs.delete(r.run.id);
        events.delete(e.id);
        for (const [k, v] of owners) if (v === e.id) owners.delete(k);
        n++;
      }
      return Promise.resolve(n);
    },
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}
