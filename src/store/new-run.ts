import type { DeliveryRecord, PlannedDelivery, PlannedRun, RunRecord } from "./types.js";

/** A planned run as it starts: pending, due now, nothing attempted. */
export function newRun(p: PlannedRun, now: Date): RunRecord {
  return {
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
}

function pendingDelivery(d: PlannedDelivery): DeliveryRecord {
  return { ...d, state: "pending", attempts: [] };
}
