import type { TriggerOutcome, TriggerTrace } from "./types.js";

/** How many triggers ended each way: the event's one-line summary (`{fired: 1, not_applicable: 3}`). */
export function countOutcomes(
  traces: readonly TriggerTrace[],
): Partial<Record<TriggerOutcome["kind"], number>> {
  const counts: Partial<Record<TriggerOutcome["kind"], number>> = {};
  for (const t of traces) counts[t.outcome.kind] = (counts[t.outcome.kind] ?? 0) + 1;
  return counts;
}
