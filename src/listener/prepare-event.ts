import type { IncomingEvent } from "../core/incoming-event.js";
import { memoJSON } from "../core/memo-json.js";
import { formBodyAsJSON } from "./prepare-body.js";

/** An event with its body parsed at most once, shared by every trigger. */
export interface PreparedEvent extends IncomingEvent {
  bodyJSON: () => unknown;
  /** The body interceptors and bindings see after Tekton's form conversion. */
  chainBody: Buffer;
  chainBodyJSON: () => unknown;
}

export function prepareEvent(
  event: IncomingEvent,
  bodyJSON: () => unknown = memoJSON(event.rawBody),
): PreparedEvent {
  const form = formBodyAsJSON(event.header, event.rawBody);
  return {
    ...event,
    bodyJSON,
    chainBody: form ?? event.rawBody,
    chainBodyJSON: form === undefined ? bodyJSON : memoJSON(form),
  };
}
