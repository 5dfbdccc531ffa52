import { randomUUID } from "node:crypto";
import { LABEL_DELIVERY_KEY } from "../sinks/types.js";
import type { PlannedRun } from "../store/types.js";
import type { RenderedResource } from "../templates/types.js";
import type { EventDecision, TriggerTrace } from "./types.js";
import type { EventOutcome } from "../store/types.js";

/**
 * One run per fired trigger, its resources in template order, each labelled with its delivery
 * key (`<eventId>.<trigger>.<resource>`: a valid label value, the same on every attempt).
 */
export function planRuns(
  decision: EventDecision,
  eventId: string,
  serviceAccounts: ReadonlyMap<string, string | undefined>,
): PlannedRun[] {
  const runs: PlannedRun[] = [];
  decision.triggers.forEach((trace, traceIndex) => {
    if (trace.outcome.kind !== "fired") return;
    const resources = trace.outcome.resources.map((resource, seq) => {
      const deliveryKey = `${eventId}.${traceIndex}.${seq}`;
      const labelled = withDeliveryKey(resource, deliveryKey);
      // The trace shows what will be created, key included.
      if (trace.outcome.kind === "fired") trace.outcome.resources[seq] = labelled;
      return { seq, deliveryKey, resource: labelled };
    });
    runs.push({
      id: randomUUID(),
      eventId,
      traceIndex,
      trigger: trace.trigger,
      namespace: trace.namespace,
      serviceAccountName: serviceAccounts.get(trace.triggerId),
      resources,
    });
  });
  return runs;
}

function withDeliveryKey(resource: RenderedResource, key: string): RenderedResource {
  const meta = resource.body["metadata"] as Record<string, unknown>;
  const labels = { ...(meta["labels"] as Record<string, string>), [LABEL_DELIVERY_KEY]: key };
  return { ...resource, body: { ...resource.body, metadata: { ...meta, labels } } };
}

/** The event's outcome as a whole, for the event log. */
export function eventOutcome(decision: EventDecision): EventOutcome {
  const kinds = decision.triggers.map((t: TriggerTrace) => t.outcome.kind);
  if (kinds.includes("fired")) return "fired";
  if (decision.unauthenticated) return "rejected";
  if (kinds.some((k) => k === "failed" || k === "timedOut")) return "failed";
  if (kinds.includes("rejected") && !kinds.includes("filtered")) return "rejected";
  return "filtered";
}
