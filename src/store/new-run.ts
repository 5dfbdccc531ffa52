import type { TraceCarrier } from "../core/span-parent.js";
import type { DeliveryRecord, PlannedDelivery, PlannedRun, RunRecord } from "./types.js";

/**
 * A planned run as it starts: pending, due now, nothing attempted; with its event's trace
 * context, when the event has one.
 */
export function newRun(p: PlannedRun, now: Date, traceContext?: TraceCarrier): RunRecord {
  const run: RunRecord = {
    id: p.id,
    eventId: p.eventId,
    origin: p.origin,
    namespace: p.namespace,
    serviceAccountName: p.serviceAccountName,
    state: "pending",
    attempts: 0,
    firstAttemptAt: undefined,
    nextAttemptAt: now,
    lastError: undefined,
    deliveries: p.deliveries.map(pendingDelivery),
  };
  if (traceContext !== undefined) run.traceContext = traceContext;
  if (p.concurrency !== undefined) run.concurrency = p.concurrency;
  return run;
}

function pendingDelivery(d: PlannedDelivery): DeliveryRecord {
  return { ...d, state: "pending", attempts: [] };
}
