import type { CloudEventSink } from "../cloudevents/cloudevent-sink.js";
import type { TraceCarrier } from "../core/span-parent.js";
import { assertNever } from "../errors/assert-never.js";
import { describeUrl } from "../http/describe-url.js";
import { checkHttpAnswer } from "../sinks/http/check-http-answer.js";
import type { HttpRequestSink } from "../sinks/http/http-request-sink.js";
import type { CreateContext, Sink } from "../sinks/types.js";
import type { DeliveryRecord } from "../store/types.js";
import { withSpanContext } from "./with-span-context.js";

/** One sink per delivery kind. */
export interface DeliverySinks {
  /** Rendered resources and patches: the local directory or the Kubernetes API (`--sink`). */
  resource: Sink;
  /** `hookline.dev/v1alpha1` `HTTPRequest` entries: endpoints called over HTTP. */
  http: HttpRequestSink;
  /** Tekton's lifecycle CloudEvents to a listener's cloudEventURI. */
  cloudevent: CloudEventSink;
}

/** What a delivery is, for logs and metrics: `PipelineRun`, `CloudEvent`, … */
export function deliveryLabel(d: DeliveryRecord): string {
  switch (d.kind) {
    case "resource":
      return d.resource.kind;
    case "patch":
      return "Patch";
    case "http":
      return "HTTPRequest";
    case "cloudevent":
      return "CloudEvent";
    case "cancel":
      return `${d.selector.kind} cancellation`;
    case "start":
      return `${d.target.kind} start`;
    default:
      return assertNever(d);
  }
}

/**
 * Hands one delivery to the sink of its kind and records what the sink answered on it. Throws
 * what the sink threw (a HooklineError's `details.retryable` says whether to try again).
 * Returns the line to log ("resource created", …) and its fields. With `spanContext` (the
 * delivery span's, when tracing is on) a PipelineRun or TaskRun is created with it in its
 * span-context annotation; the journal keeps the resource as rendered.
 */
export async function sendDelivery(
  d: DeliveryRecord,
  sinks: DeliverySinks,
  ctx: CreateContext,
  spanContext?: TraceCarrier,
): Promise<{ message: string; fields: Record<string, string> }> {
  switch (d.kind) {
    case "resource": {
      const resource =
        spanContext === undefined ? d.resource : withSpanContext(d.resource, spanContext);
      const created = await sinks.resource.create(resource, ctx);
      d.created = created;
      return {
        message: "resource created",
        fields: { kind: created.kind, namespace: created.namespace, name: created.name },
      };
    }
    case "patch": {
      const patched = await sinks.resource.patch(d.patch, { ...ctx, deliveryKey: d.deliveryKey });
      d.patched = patched;
      return {
        message: "patch applied",
        fields: {
          kind: patched.kind,
          namespace: patched.namespace,
          name: patched.name,
          type: d.patch.type,
        },
      };
    }
    case "http": {
      const result = await sinks.http.send(d, {
        namespace: ctx.triggerNamespace ?? "",
        log: ctx.log,
        trace: ctx.trace,
      });
      // Kept whatever the status: the page shows what a retried or refused call was answered.
      d.answer = result.answer;
      checkHttpAnswer(d, result);
      return {
        message: "HTTP request answered",
        fields: {
          method: d.request.method,
          url: describeUrl(d.request.url),
          status: String(result.answer.status),
        },
      };
    }
    case "cloudevent":
      await sinks.cloudevent.send(d, ctx.trace);
      return { message: "CloudEvent sent", fields: { type: d.event.type, uri: d.uri } };
    case "cancel": {
      const cancelled = await sinks.resource.cancel(d.selector, ctx);
      d.cancelled = cancelled;
      return {
        message: "older runs of the group cancelled",
        fields: {
          kind: d.selector.kind,
          namespace: d.selector.namespace,
          names: cancelled.map((c) => c.name).join(","),
        },
      };
    }
    case "start": {
      const started = await sinks.resource.start(d.target, ctx);
      d.started = started;
      return {
        message: "queued run started",
        fields: { kind: started.kind, namespace: started.namespace, name: started.name },
      };
    }
    default:
      return assertNever(d);
  }
}
