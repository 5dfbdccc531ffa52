import type { ProcessedEvent } from "./processed-event.js";
import type { TriggerOutcome } from "./types.js";

/**
 * How many triggers ended each way, the not-applicable ones included: the event's one-line
 * summary (`{fired: 1, not_applicable: 997}`).
 */
export function countOutcomes(
  triggers: Pick<ProcessedEvent, "traces" | "notApplicable">,
): Partial<Record<TriggerOutcome["kind"], number>> {
  const counts: Partial<Record<TriggerOutcome["kind"], number>> = {};
  for (const t of triggers.traces) counts[t.outcome.kind] = (counts[t.outcome.kind] ?? 0) + 1;
  if (triggers.notApplicable.length > 0) counts.not_applicable = triggers.notApplicable.length;
  return counts;
}
