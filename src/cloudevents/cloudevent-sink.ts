import { CloudEvent, HTTP } from "cloudevents";
import type { SpanParent } from "../core/span-parent.js";
import { HooklineError } from "../errors/hookline-error.js";
import type { CloudEventDelivery } from "../store/types.js";
import { describeUrl } from "../http/describe-url.js";
import { request } from "../http/request.js";
import { retryAfterMs } from "../http/retry-after.js";
import type { HttpAnswer } from "../http/types.js";

const TIMEOUT_MS = 10_000;

// Imported statically, not on first use (docs/architecture.md, "What is loaded when"): with it
// loaded lazily, the Kubernetes sink's failing attempts in
// test/integration/kubernetes-sink.test.ts took ~35 ms instead of a few, for a reason not yet
// found; until it is, it stays on the default path.

/** Sends the CloudEvents bound for a listener's `cloudEventURI`: the sink of that delivery kind. */
export interface CloudEventSink {
  /**
   * `trace`: the delivery attempt's span; the POST is a client span under it and carries its
   * `traceparent` (the CloudEvents distributed-tracing extension's header).
   */
  send(delivery: CloudEventDelivery, trace?: SpanParent): Promise<void>;
}

/**
 * POSTs each CloudEvent to its URI (binary mode). Network errors, 429 and 5xx are retryable; other
 * 4xx are permanent.
 */
export function createCloudEventSink(): CloudEventSink {
  return { send: postCloudEvent };
}

async function postCloudEvent(delivery: CloudEventDelivery, trace?: SpanParent): Promise<void> {
  const { uri, event } = delivery;
  const ce = new CloudEvent({ ...event, datacontenttype: "application/json" });
  const message = HTTP.binary(ce);
  let res: HttpAnswer;
  try {
    res = await request({
      method: "POST",
      url: uri,
      headers: message.headers as Record<string, string>,
      body: message.body as string,
      timeoutMs: TIMEOUT_MS,
      maxBytes: "discard", // Only the status counts, as in Tekton's sender.
      trace,
    });
  } catch (err) {
    // Refused, reset, DNS, TLS, a timeout, an endless answer: the receiver may be back later.
    throw new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `CloudEvent not sent: ${(err as Error).message}`,
      { retryable: true },
      { cause: err },
    );
  }
  if (res.status < 200 || res.status >= 300) {
    const retryable = res.status === 429 || res.status >= 500;
    const retryAfter = retryAfterMs(res.header);
    throw new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `CloudEvent to ${describeUrl(uri)} answered ${res.status}`,
      {
        retryable,
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
      },
    );
  }
}
