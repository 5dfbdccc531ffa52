import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import {
  contextFromCarrier,
  extractTraceContext,
  parseTraceCarrier,
  traceIdOf,
} from "../../../src/core/span-parent.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("extractTraceContext", () => {
  it("reads a traceparent and tracestate as a remote parent", () => {
    const ctx = extractTraceContext({
      traceparent: `00-${TRACE}-${SPAN}-01`,
      tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    });
    const sc = trace.getSpanContext(ctx);
    expect(sc).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(sc?.traceState?.get("congo")).toBe("t61rcWkgMzE");
  });

  it.each([
    { name: "no header", headers: {} },
    { name: "garbage", headers: { traceparent: "hello" } },
    { name: "version ff", headers: { traceparent: `ff-${TRACE}-${SPAN}-01` } },
    { name: "an all-zero trace id", headers: { traceparent: `00-${"0".repeat(32)}-${SPAN}-01` } },
    { name: "an all-zero span id", headers: { traceparent: `00-${TRACE}-${"0".repeat(16)}-01` } },
    { name: "upper-case hex", headers: { traceparent: `00-${TRACE.toUpperCase()}-${SPAN}-01` } },
    { name: "extra fields on version 00", headers: { traceparent: `00-${TRACE}-${SPAN}-01-x` } },
  ])("starts a new trace for $name", ({ headers }) => {
    expect(trace.getSpanContext(extractTraceContext(headers))).toBeUndefined();
  });

  it("reads a later version's first four fields", () => {
    const ctx = extractTraceContext({ traceparent: `01-${TRACE}-${SPAN}-00-more` });
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE, traceFlags: 0 });
  });
});

describe("trace carriers", () => {
  it("parses what the journal stores, and nothing else", () => {
    const carrier = { traceparent: `00-${TRACE}-${SPAN}-01` };
    expect(parseTraceCarrier(carrier)).toEqual(carrier);
    expect(parseTraceCarrier({ traceparent: 1 })).toBeUndefined();
    expect(parseTraceCarrier(null)).toBeUndefined();
    expect(traceIdOf(carrier)).toBe(TRACE);
    expect(trace.getSpanContext(contextFromCarrier(carrier))?.spanId).toBe(SPAN);
  });
});
