import type { CompiledListener } from "../config/compiled.js";
import { ACCEPTED } from "../cloudevents/tekton-events.js";
import { codes, type ErrorCode } from "../errors/codes.js";
import type { EventOutcome } from "../store/types.js";
import type { EventAnswer } from "./types.js";

type AnswerListener = Pick<CompiledListener, "name" | "namespace" | "uid" | "reply">;

/**
 * 202 with Tekton's four fields, plus the provider's delivery id and `duplicate: false`, and the
 * event's `outcome` when given: only for a sender a trigger authenticated, so that nobody learns
 * what a listener's triggers make of a forged event (only Tekton's four under
 * `hookline.dev/reply: tekton`). A CloudEvent request gets a CloudEvent
 * answer (binary mode), as Tekton's sink gives: type `dev.tekton.event.triggers.accepted.v1`.
 */
export function acceptedAnswer(
  listener: AnswerListener,
  eventId: string,
  deliveryId: string | undefined,
  cloudEvent: boolean,
  outcome?: EventOutcome,
): EventAnswer {
  const headers: Record<string, string> = { "x-hookline-event-id": eventId };
  if (cloudEvent) {
    headers["ce-specversion"] = "1.0";
    headers["ce-id"] = eventId;
    headers["ce-type"] = ACCEPTED;
    headers["ce-source"] = listener.name;
    headers["ce-subject"] = `${listener.namespace}.${listener.name} accepted ${eventId}`;
    headers["ce-time"] = new Date().toISOString();
  }
  return {
    kind: "accepted",
    status: 202,
    headers,
    body:
      outcome === undefined || listener.reply === "tekton"
        ? acceptedBody(listener, eventId, deliveryId, false)
        : { ...acceptedBody(listener, eventId, deliveryId, false), outcome },
  };
}

/**
 * 200 with the original event's id: this delivery was seen, and nothing more will run. Under
 * `hookline.dev/reply: tekton` the sender always gets Tekton's 202.
 */
export function duplicateAnswer(
  listener: AnswerListener,
  originalEventId: string,
  deliveryId: string | undefined,
): EventAnswer {
  return {
    kind: "duplicate",
    status: listener.reply === "tekton" ? 202 : 200,
    headers: { "x-hookline-event-id": originalEventId },
    body: acceptedBody(listener, originalEventId, deliveryId, true),
  };
}

/** Tekton's error shape, plus hookline's code and the event id; the status is the code's. */
export function errorAnswer(
  kind: "unauthenticated" | "invalid",
  listener: Pick<CompiledListener, "name" | "namespace">,
  code: ErrorCode,
  message: string,
  eventId: string,
): EventAnswer {
  return {
    kind,
    status: codes[code].status,
    headers: {},
    body: errorBody(listener, code, message, eventId),
  };
}

/** Tekton's error body (eventListenerUID is empty in Tekton's errors), with the code. */
export function errorBody(
  listener: Pick<CompiledListener, "name" | "namespace">,
  code: ErrorCode,
  message: string,
  eventId: string | undefined,
): Record<string, string> {
  const body: Record<string, string> = {
    eventListener: listener.name,
    namespace: listener.namespace,
    eventListenerUID: "",
    errorMessage: message,
    code,
  };
  if (eventId !== undefined) body["eventID"] = eventId;
  return body;
}

function acceptedBody(
  listener: AnswerListener,
  eventId: string,
  deliveryId: string | undefined,
  duplicate: boolean,
): Record<string, unknown> {
  const tekton = {
    eventListener: listener.name,
    namespace: listener.namespace,
    eventListenerUID: listener.uid,
    eventID: eventId,
  };
  if (listener.reply === "tekton") return tekton;
  return { ...tekton, deliveryId: deliveryId ?? null, duplicate };
}
