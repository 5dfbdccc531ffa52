import { describe, expect, it } from "vitest";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { parseSettings } from "../../../src/settings/parse-settings.js";

type Env = Record<string, string>;

function catchError(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
}

describe("tracing settings", () => {
  it("is off without an OTLP endpoint, whatever else is set", () => {
    const s = parseSettings([], { OTEL_SERVICE_NAME: "x", OTEL_TRACES_SAMPLER: "always_on" });
    expect(s.tracing).toEqual({ kind: "off" });
  });

  it.each<{ name: string; env: Env; want: unknown }>([
    {
      name: "the base endpoint gets /v1/traces, the default sampler and service name",
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" },
      want: {
        kind: "otlp",
        url: "http://collector:4318/v1/traces",
        headers: {},
        serviceName: "hookline",
        sampler: { kind: "parentbased_always_on" },
      },
    },
    {
      name: "the traces endpoint is used as given and beats the base one",
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://b/otlp/traces",
        OTEL_SERVICE_NAME: "hookline-prod",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
        OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=abc%20def,x-b=2",
      },
      want: {
        kind: "otlp",
        url: "https://b/otlp/traces",
        headers: { "x-honeycomb-team": "abc def", "x-b": "2" },
        serviceName: "hookline-prod",
        sampler: { kind: "parentbased_traceidratio", ratio: 0.1 },
      },
    },
  ])("$name", ({ env, want }) => {
    expect(parseSettings([], env).tracing).toEqual(want);
  });

  it.each<{ name: string; env: Env; names: string }>([
    {
      name: "an endpoint that is not http(s)",
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: "grpc://c:4317" },
      names: "OTEL_EXPORTER_OTLP_ENDPOINT",
    },
    {
      name: "an unknown sampler",
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_TRACES_SAMPLER: "sometimes" },
      names: "OTEL_TRACES_SAMPLER",
    },
    {
      name: "a ratio above 1",
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_TRACES_SAMPLER_ARG: "10" },
      names: "OTEL_TRACES_SAMPLER_ARG",
    },
    {
      name: "a trace URL without {traceId}",
      env: { HOOKLINE_TRACE_URL: "https://jaeger/trace/" },
      names: "HOOKLINE_TRACE_URL",
    },
  ])("refuses $name, naming the variable", ({ env, names }) => {
    const err = catchError(() => parseSettings([], env));
    expect(err).toBeInstanceOf(HooklineError);
    expect(err).toMatchObject({ code: "HL_SETTINGS_INVALID" });
    expect(err.message).toContain(names);
  });

  it("never shows the collector headers' values", () => {
    const err = catchError(() =>
      parseSettings([], {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
        OTEL_EXPORTER_OTLP_HEADERS: "api-key=s3cr3t-value,=broken",
      }),
    );
    expect(err.message).toContain("OTEL_EXPORTER_OTLP_HEADERS");
    expect(err.message).not.toContain("s3cr3t-value");
  });

  it("reads the trace URL template", () => {
    expect(
      parseSettings([], { HOOKLINE_TRACE_URL: "https://jaeger/trace/{traceId}" }).traceUrl,
    ).toBe("https://jaeger/trace/{traceId}");
  });
});
