import { resolveEventType } from "../core/event-type.js";
import type { EventFilter, EventSummary, StoredEvent } from "./types.js";

/** The list view of an event. */
export function summarize(event: StoredEvent): EventSummary {
  const out: EventSummary = {
    id: event.id,
    listener: event.listener,
    provider: event.provider,
    eventType: resolveEventType(event.headers),
    deliveryId: event.deliveryId,
    receivedAt: event.receivedAt,
    status: event.status,
    outcome: event.outcome,
    triggers: [],
    notApplicable: event.notApplicable?.length ?? 0,
  };
  // A row from before the compact list has full not-applicable traces: counted, not listed.
  for (const t of event.traces) {
    if (t.outcome.kind === "not_applicable") out.notApplicable += 1;
    else out.triggers.push({ trigger: t.trigger, outcome: t.outcome.kind });
  }
  if (event.duplicateOf !== undefined) out.duplicateOf = event.duplicateOf;
  if (event.replayOf !== undefined) out.replayOf = event.replayOf;
  return out;
}

/** Pages are ordered newest first; a cursor names the last event of the previous page. */
export function encodeCursor(event: { receivedAt: Date; id: string }): string {
  return Buffer.from(`${event.receivedAt.getTime()}:${event.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { at: number; id: string } | undefined {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^(\d+):([\w-]+)$/.exec(text);
  return m === null ? undefined : { at: Number(m[1]), id: m[2] ?? "" };
}

/** Whether an event passes a filter's conditions (the cursor and limit aside). */
export function matchesFilter(event: StoredEvent, filter: EventFilter): boolean {
  if (
    filter.listener !== undefined &&
    (event.listener.namespace !== filter.listener.namespace ||
      event.listener.name !== filter.listener.name)
  )
    return false;
  if (filter.outcome !== undefined && event.outcome !== filter.outcome) return false;
  if (filter.deliveryId !== undefined && event.deliveryId !== filter.deliveryId) return false;
  // As the SQL journals filter: any trigger the event names, the not-applicable ones included.
  if (
    filter.trigger !== undefined &&
    !event.traces.some((t) => t.trigger === filter.trigger) &&
    !(event.notApplicable ?? []).some((t) => t.trigger === filter.trigger)
  )
    return false;
  if (filter.since !== undefined && event.receivedAt < filter.since) return false;
  if (filter.until !== undefined && event.receivedAt >= filter.until) return false;
  return true;
}

/**
 * An event that fired blocks a redelivery, unless every one of its runs went to dead letter. A
 * run `superseded` by a newer event of its concurrency group counts as done, not dead: the event
 * fired, and a redelivery of it must not run an outdated commit again.
 */
export function blocksRedelivery(outcome: string, runStates: readonly string[]): boolean {
  if (outcome !== "fired") return false;
  return runStates.length === 0 || runStates.some((s) => s !== "dead");
}
