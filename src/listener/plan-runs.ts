import { randomUUID } from "node:crypto";
import { lifecycleEvents } from "../cloudevents/tekton-events.js";
import type { Header } from "../core/incoming-event.js";
import { LABEL_DELIVERY_KEY } from "../sinks/types.js";
import type { PlannedDelivery, PlannedRun } from "../store/types.js";
import { isHttpRequestEntry, toRenderedHttpRequest } from "../templates/rendered-http-request.js";
import { isPatchEntry, toRenderedPatch } from "../templates/rendered-patch.js";
import type { RenderedResource } from "../templates/types.js";
import type { EventDecision, TriggerTrace } from "./types.js";
import type { EventOutcome } from "../store/types.js";
import { planConcurrency } from "../concurrency/plan-concurrency.js";
import { ruledOutCounts } from "./ruled-out-counts.js";
import type { RunConcurrency } from "../concurrency/types.js";

/**
 * One run per fired trigger, its resources in template order, each labelled with its delivery
 * key (`<eventId>.<trigger>.<resource>`: a valid label value, the same on every attempt); a
 * `hookline.dev/v1alpha1` `Patch` entry becomes a patch delivery, an `HTTPRequest` entry an http
 * delivery, each in its place in that order. A resource of a concurrency group (issue 12) gets
 * the group's labels and gives the run its `concurrency`; a strategy that cancels older runs puts
 * a cancel delivery just before it (cancel first, then create, as GitHub Actions does). Seq is
 * the place in the run; the delivery key keeps the template's index.
 */
export function planRuns(
  decision: EventDecision,
  eventId: string,
  serviceAccounts: ReadonlyMap<string, string | undefined>,
  receivedAt: Date,
): PlannedRun[] {
  const runs: PlannedRun[] = [];
  decision.triggers.forEach((trace, traceIndex) => {
    if (trace.outcome.kind !== "fired") return;
    const deliveries: PlannedDelivery[] = [];
    let concurrency: RunConcurrency | undefined;
    trace.outcome.resources.forEach((resource, index) => {
      const seq = deliveries.length;
      const deliveryKey = `${eventId}.${traceIndex}.${index}`;
      // A Patch entry changes an existing object: nothing is created, so nothing is labelled.
      if (isPatchEntry(resource)) {
        deliveries.push({ kind: "patch", seq, deliveryKey, patch: toRenderedPatch(resource) });
        return;
      }
      // An HTTPRequest entry calls an endpoint; the delivery key becomes its Idempotency-Key.
      if (isHttpRequestEntry(resource)) {
        const request = toRenderedHttpRequest(resource);
        deliveries.push({ kind: "http", seq, deliveryKey, request });
        return;
      }
      let labelled = withDeliveryKey(resource, deliveryKey);
      const grouped = planConcurrency(labelled, deliveryKey, receivedAt);
      if (grouped !== undefined) {
        labelled = grouped.resource;
        concurrency = grouped.concurrency;
        if (grouped.cancel !== undefined)
          deliveries.push({
            kind: "cancel",
            seq,
            deliveryKey: `${deliveryKey}.cancel`,
            selector: grouped.cancel,
          });
      }
      // The trace shows what will be created, key included.
      if (trace.outcome.kind === "fired") trace.outcome.resources[index] = labelled;
      deliveries.push({
        kind: "resource",
        seq: deliveries.length,
        deliveryKey,
        resource: labelled,
      });
    });
    runs.push({
      id: randomUUID(),
      eventId,
      origin: { kind: "trigger", traceIndex, trigger: trace.trigger },
      namespace: trace.namespace,
      serviceAccountName: serviceAccounts.get(trace.triggerId),
      deliveries,
      ...(concurrency === undefined ? {} : { concurrency }),
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
  // A trigger would have fired: its (or the listener's) bucket was empty, nothing else matters.
  if (kinds.includes("rateLimited")) return "rate_limited";
  if (kinds.some((k) => k === "failed" || k === "timedOut")) return "failed";
  // A trigger the dispatch index ruled out by its filter counts as the `filtered` it would have been.
  const filtered =
    kinds.includes("filtered") ||
    ruledOutCounts(decision.notApplicable).byFact.filter !== undefined;
  if (kinds.includes("rejected") && !filtered) return "rejected";
  return "filtered";
}

/**
 * With a `cloudEventURI`, Tekton's started, successful or failed, and done CloudEvents, as the
 * listener's own run of the event: the delivery worker posts them in order, with retries.
 */
export function planCloudEvents(
  listener: { namespace: string; name: string; cloudEventURI: string | undefined },
  decision: EventDecision,
  eventId: string,
  header: Header,
): PlannedRun[] {
  if (listener.cloudEventURI === undefined || listener.cloudEventURI === "") return [];
  const fired = decision.triggers.some((t) => t.outcome.kind === "fired");
  return [
    {
      id: randomUUID(),
      eventId,
      origin: { kind: "listener" },
      namespace: listener.namespace,
      serviceAccountName: undefined,
      deliveries: lifecycleEvents({
        uri: listener.cloudEventURI,
        listener,
        eventId,
        header,
        fired,
      }),
    },
  ];
}
