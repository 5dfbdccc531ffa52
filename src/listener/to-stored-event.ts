import type { IncomingEvent } from "../core/incoming-event.js";
import { redactHeaders } from "../store/redact-headers.js";
import type { StoredEvent } from "../store/types.js";

/** The journal's record of an event: credentials in headers redacted, the body byte for byte. */
export function toStoredEvent(
  event: IncomingEvent,
  listener: { namespace: string; name: string },
  status: number,
  outcome: StoredEvent["outcome"],
  traces: StoredEvent["traces"],
): StoredEvent {
  return {
    id: event.eventId,
    listener: { namespace: listener.namespace, name: listener.name },
    provider: event.provider,
    deliveryId: event.deliveryId,
    receivedAt: event.receivedAt,
    method: event.method,
    url: event.url,
    headers: redactHeaders(event.header),
    body: { kind: "kept", bytes: event.rawBody },
    status,
    outcome,
    traces,
  };
}
