import type { EventOutcome, PlannedRun } from "../store/types.js";
import type { EventAnswer, NotApplicableTrigger, TriggerTrace } from "./types.js";

/** processEvent's result: what to record, what to deliver, what to answer. */
export interface ProcessedEvent {
  /** The event's outcome as a whole, for the journal. */
  outcome: EventOutcome;
  /** One per trigger that ran (none for a duplicate or an invalid body). */
  traces: TriggerTrace[];
  /** The triggers the event was not for: name and what ruled each out, no trace. */
  notApplicable: readonly NotApplicableTrigger[];
  /** The deliveries to journal: one run per fired trigger, plus the listener's CloudEvents. */
  runs: PlannedRun[];
  answer: EventAnswer;
  /**
   * A trigger's signature or token check (with a secret) verified the sender, in the auth-first
   * gate or in a chain. An event neither authenticated nor fired is journaled as metadata only.
   */
  authenticated: boolean;
}

/**
 * Whether the journal keeps the event's body: it fired (or would have, but for a rate limit: it
 * can be replayed once the burst is over), or a trigger authenticated its sender.
 */
export function keepsBody(processed: ProcessedEvent): boolean {
  return (
    processed.authenticated ||
    processed.traces.some((t) => t.outcome.kind === "fired" || t.outcome.kind === "rateLimited")
  );
}
