import type { CreatedResource } from "../sinks/types.js";
import type { InvolvedObject, KubeEventNote } from "./types.js";

/** The Event on a resource hookline created. */
export function createdNote(
  created: CreatedResource,
  run: { eventId: string; trigger: string | undefined },
): KubeEventNote {
  const object: InvolvedObject = {
    apiVersion: created.apiVersion,
    kind: created.kind,
    name: created.name,
    namespace: created.namespace,
  };
  return {
    object,
    type: "Normal",
    reason: "Created",
    message: `Created by hookline from delivery of event ${run.eventId}${run.trigger === undefined ? "" : ` (trigger "${run.trigger}")`}`,
  };
}

/**
 * The Event on the EventListener for a run that went to dead letter: what could not be
 * delivered and the error's code and API reason, never the error's text (the API server's
 * message may quote a rendered value, which may come from the payload).
 */
export function deadLetteredNote(
  listener: InvolvedObject,
  dead: {
    trigger: string | undefined;
    what: string;
    attempts: number;
    code: string | undefined;
    reason: string | undefined;
  },
): KubeEventNote {
  const why = [dead.code, dead.reason].filter((x) => x !== undefined).join(", ");
  return {
    object: listener,
    type: "Warning",
    reason: "DeliveryDeadLettered",
    message: `${dead.trigger === undefined ? "The EventListener's" : `Trigger "${dead.trigger}":`} ${dead.what} went to dead letter after ${dead.attempts === 1 ? "1 attempt" : `${dead.attempts} attempts`}${why === "" ? "" : ` (${why})`}`,
  };
}
