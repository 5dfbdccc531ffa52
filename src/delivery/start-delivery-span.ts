import {
  contextFromCarrier,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  startSpan,
  traceCarrierOf,
  type StartedSpan,
  type TraceCarrier,
  type Tracer,
} from "../core/span-parent.js";
import { HooklineError } from "../errors/hookline-error.js";
import type { DeliveryRecord, RunRecord } from "../store/types.js";
import { deliveryLabel } from "./send-delivery.js";

/** One delivery attempt's span, the carrier of its context, and how it ends. */
export interface DeliverySpan {
  readonly started: StartedSpan;
  /** What a created PipelineRun or TaskRun carries in its span-context annotation. */
  readonly carrier: TraceCarrier;
  end(outcome: "delivered" | "retry" | "dead", err: unknown): void;
}

/**
 * The span of one attempt of one delivery, made in the trace of the request that planned it: its
 * parent is the server span whose context the journal stored with the event, so an attempt made
 * after a restart, or by another replica, joins the same trace. A run stored without one (tracing
 * was off then) starts a trace of its own.
 */
export function startDeliverySpan(
  tracer: Tracer,
  run: RunRecord,
  d: DeliveryRecord,
): DeliverySpan | undefined {
  const parent =
    run.traceContext === undefined ? ROOT_CONTEXT : contextFromCarrier(run.traceContext);
  const label = deliveryLabel(d);
  const started = startSpan({ tracer, context: parent }, `deliver ${label}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "hookline.event_id": run.eventId,
      "hookline.delivery_key": d.deliveryKey,
      "hookline.delivery.kind": label,
      "hookline.run_id": run.id,
      "hookline.attempt": run.attempts,
      ...(run.origin.kind === "trigger" ? { "hookline.trigger": run.origin.trigger } : {}),
      "k8s.namespace.name": run.namespace,
    },
  });
  if (started === undefined) return undefined;
  return {
    started,
    carrier: traceCarrierOf(started.span),
    end(outcome, err) {
      const { span } = started;
      span.setAttribute("hookline.outcome", outcome);
      if (outcome !== "delivered") {
        // The error's code only: its message may quote the resource or the API's answer.
        const code = err instanceof HooklineError ? err.code : "error";
        span.setAttribute("error.type", code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      }
      span.end();
    },
  };
}
