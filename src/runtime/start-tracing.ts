import type { Tracer } from "@opentelemetry/api";
import type * as TraceSdk from "@opentelemetry/sdk-trace-base";
import { lazyPackage } from "../core/lazy-package.js";
import { assertNever } from "../errors/assert-never.js";
import type { SamplerSettings, TracingSettings } from "../settings/types.js";

/** A started tracer provider: the tracer the stages are given, and how to flush and stop it. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void>;
}

const TRACING = "tracing (OTEL_EXPORTER_OTLP_ENDPOINT)";
const loadSdk = lazyPackage(
  "@opentelemetry/sdk-trace-base",
  TRACING,
  () => import("@opentelemetry/sdk-trace-base"),
);
const loadExporter = lazyPackage(
  "@opentelemetry/exporter-trace-otlp-http",
  TRACING,
  () => import("@opentelemetry/exporter-trace-otlp-http"),
);
const loadResources = lazyPackage(
  "@opentelemetry/resources",
  TRACING,
  () => import("@opentelemetry/resources"),
);

/**
 * The OpenTelemetry SDK, set up only when tracing is configured (the SDK is imported then, not
 * otherwise): a tracer provider with the configured sampler and service name, whose spans a batch
 * processor sends to the OTLP/HTTP endpoint as JSON. Nothing is registered globally: the tracer
 * is handed to the stages that make spans, as the logger is.
 */
export async function startTracing(settings: TracingSettings): Promise<Tracing | undefined> {
  if (settings.kind === "off") return undefined;
  const [sdk, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    loadSdk(),
    loadExporter(),
    loadResources(),
  ]);
  const exporter = new OTLPTraceExporter({ url: settings.url, headers: { ...settings.headers } });
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": settings.serviceName }),
    sampler: createSampler(settings.sampler, sdk),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer("hookline"),
    shutdown: () => provider.shutdown(),
  };
}

type SamplerClasses = Pick<
  typeof TraceSdk,
  "AlwaysOnSampler" | "AlwaysOffSampler" | "TraceIdRatioBasedSampler" | "ParentBasedSampler"
>;

function createSampler(s: SamplerSettings, sdk: SamplerClasses): TraceSdk.Sampler {
  switch (s.kind) {
    case "always_on":
      return new sdk.AlwaysOnSampler();
    case "always_off":
      return new sdk.AlwaysOffSampler();
    case "traceidratio":
      return new sdk.TraceIdRatioBasedSampler(s.ratio);
    case "parentbased_always_on":
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
    case "parentbased_always_off":
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(s.ratio) });
    default:
      return assertNever(s);
  }
}
