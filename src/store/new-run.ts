import type { PlannedRun, RunRecord } from "./types.js";

/** A planned run as it starts: pending, due now, nothing attempted. */
export function newRun(p: PlannedRun, now: Date): RunRecord {
  return {
    id: p.id,
    eventId: p.eventId,
    traceIndex: p.traceIndex,
    trigger: p.trigger,
    namespace: p.namespace,
    serviceAccountName: p.serviceAccountName,
    state: "pending",
    attempts: 0,
    firstAttemptAt: undefined,
    nextAttemptAt: now,
    lastError: undefined,
    deliveries: p.resources.map((r) => ({
      seq: r.seq,
      deliveryKey: r.deliveryKey,
      resource: r.resource,
      state: "pending",
      attempts: [],
    })),
  };
}
