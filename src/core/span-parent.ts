import {
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  TraceFlags,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from "@opentelemetry/api";

/**
 * Where a stage hangs its spans: the tracer and the context of the span it runs under. Passed
 * explicitly, as the logger is (no context manager, no global tracer): a stage given `undefined`
 * — tracing is not configured — makes no span object at all, so the untraced path pays one
 * `undefined` check per stage.
 */
export interface SpanParent {
  readonly tracer: Tracer;
  readonly context: Context;
}

/** A span started under a parent, and the parent its own children take. */
export interface StartedSpan {
  readonly span: Span;
  readonly child: SpanParent;
}

/**
 * W3C trace context as a JSON text-map carrier: what the journal stores with an event and what
 * Tekton Pipelines reads from `tekton.dev/pipelinerunSpanContext`.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

export interface SpanStart {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
}

/**
 * W3C Trace Context's `traceparent` (version 00, and later versions read as 00 says): version,
 * trace id, parent span id, flags. Parsed here rather than with @opentelemetry/core's propagator,
 * which the untraced process would otherwise load at start-up for nothing.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

function first(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined;
}

/** Starts `name` under `parent`; undefined (and nothing made) when tracing is off. */
export function startSpan(
  parent: SpanParent | undefined,
  name: string,
  start: SpanStart = {},
): StartedSpan | undefined {
  if (parent === undefined) return undefined;
  const options: SpanOptions = { kind: start.kind ?? SpanKind.INTERNAL };
  if (start.attributes !== undefined) options.attributes = start.attributes;
  if (start.links !== undefined) options.links = start.links;
  const span = parent.tracer.startSpan(name, options, parent.context);
  return { span, child: { tracer: parent.tracer, context: trace.setSpan(parent.context, span) } };
}

/**
 * The context a request's W3C headers carry (`traceparent`, `tracestate`; lower-case names, as
 * node:http gives them), or the root context when they carry none or a malformed one.
 */
export function extractTraceContext(headers: Readonly<Record<string, unknown>>): Context {
  const m = TRACEPARENT.exec(first(headers["traceparent"])?.trim() ?? "");
  if (m === null) return ROOT_CONTEXT;
  const [, version, traceId = "", spanId = "", flags = "00", rest] = m;
  // Version ff is forbidden, and version 00 has nothing after the flags.
  if (version === "ff" || (version === "00" && rest !== undefined)) return ROOT_CONTEXT;
  if (!isSpanContextValid({ traceId, spanId, traceFlags: 0 })) return ROOT_CONTEXT;
  const state = first(headers["tracestate"]);
  const context: SpanContext = {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (state !== undefined && state !== "") context.traceState = createTraceState(state);
  return trace.setSpanContext(ROOT_CONTEXT, context);
}

/** The carrier of a span (its `traceparent`, and `tracestate` when there is one). */
export function traceCarrierOf(span: Span): TraceCarrier {
  // W3C Trace Context's version 00: `00-<trace id>-<span id>-<flags as two hex digits>`.
  const { traceId, spanId, traceFlags, traceState } = span.spanContext();
  const flags = (traceFlags & 0xff).toString(16).padStart(2, "0");
  const carrier: TraceCarrier = { traceparent: `00-${traceId}-${spanId}-${flags}` };
  const state = traceState?.serialize() ?? "";
  if (state !== "") carrier.tracestate = state;
  return carrier;
}

/** The context a stored carrier names (the root context for a malformed one). */
export function contextFromCarrier(carrier: TraceCarrier): Context {
  return extractTraceContext({ ...carrier });
}

/** Parses a carrier read back from storage; undefined for anything that is not one. */
export function parseTraceCarrier(value: unknown): TraceCarrier | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { traceparent, tracestate } = value as Record<string, unknown>;
  if (typeof traceparent !== "string") return undefined;
  return typeof tracestate === "string" ? { traceparent, tracestate } : { traceparent };
}

/** The trace id of a carrier's traceparent (`00-<trace id>-<span id>-<flags>`). */
export function traceIdOf(carrier: TraceCarrier): string | undefined {
  const id = carrier.traceparent.split("-")[1];
  return id !== undefined && /^[0-9a-f]{32}$/.test(id) ? id : undefined;
}

export { ROOT_CONTEXT, SpanKind, SpanStatusCode };
export type { Span, Tracer };
