import type { CompiledListener } from "../config/compiled.js";
import type { EventAnswer, TriggerTrace } from "../listener/types.js";
import type { InvolvedObject, KubeEventNote } from "./types.js";

/** The EventListener as an Event's involvedObject (Tekton's served version). */
export function listenerObject(listener: {
  name: string;
  namespace: string;
  uid?: string | undefined;
}): InvolvedObject {
  return {
    apiVersion: "triggers.tekton.dev/v1beta1",
    kind: "EventListener",
    name: listener.name,
    namespace: listener.namespace,
    ...(listener.uid === undefined ? {} : { uid: listener.uid }),
  };
}

/**
 * The Events an answered event gives its EventListener: one per trigger that was rejected or
 * failed, and one for a request refused before any trigger ran. Messages name the trigger, the
 * interceptor, the status code or stage, never what the payload, a header or a secret held: the
 * outcome's own message (which may quote the payload, as a CEL error can) stays in the journal.
 * Filtered and not-applicable triggers are the normal course of things and say nothing.
 */
export function listenerNotes(
  listener: CompiledListener,
  answer: EventAnswer,
  traces: readonly TriggerTrace[],
): KubeEventNote[] {
  const object = listenerObject({
    name: listener.name,
    namespace: listener.namespace,
    uid: listener.uidKnown === true ? listener.uid : undefined,
  });
  const notes: KubeEventNote[] = [];
  const code = answer.body["code"];
  if (answer.kind === "invalid" && traces.length === 0 && typeof code === "string") {
    notes.push({
      object,
      type: "Warning",
      reason: "EventRejected",
      message: `Request refused before any trigger ran (${code})`,
    });
  }
  for (const trace of traces) {
    const outcome = trace.outcome;
    switch (outcome.kind) {
      case "rejected":
        notes.push({
          object,
          type: "Warning",
          reason: "EventRejected",
          message: `Trigger "${trace.trigger}": interceptor "${outcome.interceptor}" rejected the event (${outcome.code})`,
        });
        break;
      case "failed": {
        const failing = trace.interceptors.find((i) => i.outcome === "error")?.interceptor;
        notes.push({
          object,
          type: "Warning",
          reason: "TriggerFailed",
          message: `Trigger "${trace.trigger}" failed in its ${outcome.stage}${failing === undefined ? "" : ` (interceptor "${failing}")`}; the event's page on the admin port has the error`,
        });
        break;
      }
      case "timedOut":
        notes.push({
          object,
          type: "Warning",
          reason: "TriggerFailed",
          message: `Trigger "${trace.trigger}" did not finish within the event's deadline${outcome.interceptor === undefined ? "" : ` (interceptor "${outcome.interceptor}" was still running)`}`,
        });
        break;
      // rateLimited: the limit doing its job; a burst would be a burst of Events (the metric counts them).
      case "fired":
      case "filtered":
      case "not_applicable":
      case "rateLimited":
        break;
    }
  }
  return notes;
}
