import type { IncomingEvent } from "../core/incoming-event.js";
import { redactDeep, type SecretValues } from "../core/secret-values.js";
import { redactHeaders } from "../store/redact-headers.js";
import { redactURL } from "../store/redact-url.js";
import type { StoredEvent } from "../store/types.js";

/** What of the listener decides how its events are stored (a CompiledListener has it all). */
export interface StoringListener {
  namespace: string;
  name: string;
  /** `hookline.dev/keep-query: "true"`: the query's values are kept (secret values still not). */
  keepQuery?: boolean;
  /** `hookline.dev/redact-headers`: more header names whose values are never stored. */
  redactHeaders?: ReadonlySet<string>;
}

/**
 * The journal's record of an event, the body byte for byte. Redacted: credential headers by name,
 * query values (unless the listener keeps them), and every known secret value (`values`) in any
 * header, the URL and the traces (interceptor messages, errors, params, extensions).
 */
export function toStoredEvent(
  event: IncomingEvent,
  listener: StoringListener,
  status: number,
  outcome: StoredEvent["outcome"],
  triggers: Pick<StoredEvent, "traces" | "notApplicable">,
  values?: SecretValues,
): StoredEvent {
  const { traces, notApplicable = [] } = triggers;
  const stored: StoredEvent = {
    id: event.eventId,
    listener: { namespace: listener.namespace, name: listener.name },
    provider: event.provider,
    deliveryId: event.deliveryId,
    receivedAt: event.receivedAt,
    method: event.method,
    url: redactURL(event.url, values, listener.keepQuery === true),
    headers: redactHeaders(event.header, values, listener.redactHeaders),
    body: { kind: "kept", bytes: event.rawBody },
    status,
    outcome,
    traces: values === undefined ? traces : redactDeep(traces, values),
  };
  // What ruled a trigger out quotes the event (a header's value): redacted as the traces are.
  if (notApplicable.length > 0)
    stored.notApplicable = values === undefined ? notApplicable : redactDeep(notApplicable, values);
  return stored;
}
