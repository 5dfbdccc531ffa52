import { CloudEvent, HTTP } from "cloudevents";
import { HooklineError } from "../errors/hookline-error.js";
import type { CloudEventDelivery } from "../store/types.js";

const TIMEOUT_MS = 10_000;

/** Sends the CloudEvents bound for a listener's `cloudEventURI`: the sink of that delivery kind. */
export interface CloudEventSink {
  send(delivery: CloudEventDelivery): Promise<void>;
}

/**
 * POSTs each CloudEvent to its URI (binary mode). Network errors, 429 and 5xx are retryable; other
 * 4xx are permanent.
 */
export function createCloudEventSink(): CloudEventSink {
  return { send: postCloudEvent };
}

async function postCloudEvent(delivery: CloudEventDelivery): Promise<void> {
  const { uri, event } = delivery;
  const ce = new CloudEvent({ ...event, datacontenttype: "application/json" });
  const message = HTTP.binary(ce);
  let res: Response;
  try {
    res = await fetch(uri, {
      method: "POST",
      headers: message.headers as Record<string, string>,
      body: message.body as string,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `CloudEvent to ${uri} not sent: ${(err as Error).message}`,
      { retryable: true },
      { cause: err },
    );
  }
  await res.body?.cancel();
  if (!res.ok) {
    const retryable = res.status === 429 || res.status >= 500;
    const retryAfter = Number(res.headers.get("retry-after"));
    throw new HooklineError("HL_SINK_WRITE_FAILED", `CloudEvent to ${uri} answered ${res.status}`, {
      retryable,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
}
