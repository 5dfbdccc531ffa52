import { CloudEvent, HTTP } from "cloudevents";
import { HooklineError } from "../errors/hookline-error.js";
import { describeUrl } from "../http/describe-url.js";
import { request } from "../http/request.js";
import type { HttpAnswer } from "../http/types.js";
import type { RenderedResource } from "../templates/types.js";
import type { CreatedResource, CreateContext, Sink } from "../sinks/types.js";
import { CLOUDEVENT_API_VERSION, CLOUDEVENT_KIND } from "./tekton-events.js";

const TIMEOUT_MS = 10_000;

/**
 * Routes deliveries: the CloudEvents bound for `cloudEventURI` are POSTed there (binary mode);
 * everything else goes to the resource sink. Network errors, 429 and 5xx are retryable; other
 * 4xx are permanent.
 */
export function withCloudEvents(sink: Sink): Sink {
  return {
    kind: sink.kind,
    create(resource: RenderedResource, ctx: CreateContext): Promise<CreatedResource> {
      if (resource.apiVersion === CLOUDEVENT_API_VERSION && resource.kind === CLOUDEVENT_KIND)
        return postCloudEvent(resource);
      return sink.create(resource, ctx);
    },
  };
}

async function postCloudEvent(resource: RenderedResource): Promise<CreatedResource> {
  const { uri, event } = resource.body as { uri: string; event: Record<string, unknown> };
  const ce = new CloudEvent({
    ...event,
    datacontenttype: "application/json",
  });
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
    const retryAfter = Number(res.header["retry-after"]?.[0]);
    throw new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `CloudEvent to ${describeUrl(uri)} answered ${res.status}`,
      {
        retryable,
        ...(Number.isFinite(retryAfter) && retryAfter > 0
          ? { retryAfterMs: retryAfter * 1000 }
          : {}),
      },
    );
  }
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    namespace: resource.namespace,
    name: String(ce.type),
    location: uri,
  };
}
