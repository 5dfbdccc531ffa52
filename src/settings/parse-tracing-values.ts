import { assertNever } from "../errors/assert-never.js";
import { SettingProblem } from "./parse-values.js";
import type { SamplerSettings } from "./types.js";

/** The samplers OTEL_TRACES_SAMPLER names (the SDK configuration spec's values). */
export const SAMPLER_NAMES = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export function parseSamplerValue(text: string): SamplerName {
  const name = SAMPLER_NAMES.find((n) => n === text.trim().toLowerCase());
  if (name === undefined) throw new SettingProblem(`use one of ${SAMPLER_NAMES.join(", ")}`);
  return name;
}

/** OTEL_TRACES_SAMPLER_ARG: a ratio from 0 to 1. */
export function parseSamplerArgValue(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1)
    throw new SettingProblem("use a ratio from 0 to 1, e.g. 0.1");
  return n;
}

/** An http(s) URL. */
export function parseUrlValue(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new SettingProblem("use an http:// or https:// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new SettingProblem("use an http:// or https:// URL");
  return url.href;
}

/** HOOKLINE_TRACE_URL: an http(s) URL with `{traceId}` in it. */
export function parseTraceUrlValue(text: string): string {
  if (!text.includes("{traceId}"))
    throw new SettingProblem(
      "put {traceId} where the trace id goes, e.g. https://jaeger/trace/{traceId}",
    );
  parseUrlValue(text.replace("{traceId}", "0"));
  return text.trim();
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS: `key=value` pairs, comma-separated, values percent-decoded (the
 * W3C Baggage form the spec names). The value is secret: problems name the pair's place only.
 */
export function parseHeaderListValue(text: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  const pairs = text.split(",").filter((p) => p.trim() !== "");
  for (const [i, pair] of pairs.entries()) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? "" : pair.slice(0, eq).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key))
      throw new SettingProblem(`pair ${i + 1} is not key=value with a header name as key`);
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw new SettingProblem(`pair ${i + 1} has a malformed percent-escape`);
    }
  }
  return out;
}

/** The sampler of OTEL_TRACES_SAMPLER with OTEL_TRACES_SAMPLER_ARG's ratio where it takes one. */
export function samplerSettings(name: SamplerName, ratio: number): SamplerSettings {
  switch (name) {
    case "traceidratio":
    case "parentbased_traceidratio":
      return { kind: name, ratio };
    case "always_on":
    case "always_off":
    case "parentbased_always_on":
    case "parentbased_always_off":
      return { kind: name };
    default:
      return assertNever(name);
  }
}
