import {
  DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
  HTTP_REQUEST_KIND,
  HTTP_REQUEST_METHODS,
  parseHttpRequestTimeout,
} from "../core/http-request-entry.js";
import { PATCH_API_VERSION } from "../core/patch-entry.js";
import type {
  HttpHeaderValue,
  HttpRequestBody,
  RenderedHttpRequest,
  RenderedResource,
  RenderInput,
} from "./types.js";

/** Is this rendered entry a `hookline.dev/v1alpha1` `HTTPRequest` (and not a resource to create)? */
export function isHttpRequestEntry(entry: { apiVersion?: unknown; kind?: unknown }): boolean {
  return entry.apiVersion === PATCH_API_VERSION && entry.kind === HTTP_REQUEST_KIND;
}

/**
 * A rendered HTTPRequest entry as the trace shows it: not labelled (it creates nothing), in the
 * trigger's namespace (where its secretRefs are read). Header values from a Secret stay
 * references: the value is read when the request is sent, and never stored.
 */
export function finishHttpRequest(rendered: unknown, input: RenderInput): RenderedResource {
  return {
    apiVersion: PATCH_API_VERSION,
    kind: HTTP_REQUEST_KIND,
    namespace: input.namespace,
    name: undefined,
    generateName: undefined,
    body: { ...(rendered as Record<string, unknown>) },
  };
}

/**
 * The request a rendered HTTPRequest entry describes, for the journal and the HTTP sink. The
 * entry's shape was checked at load (src/config/check-http-request-template.ts).
 */
export function toRenderedHttpRequest(entry: RenderedResource): RenderedHttpRequest {
  const spec = asRecord(entry.body["spec"]);
  const method = HTTP_REQUEST_METHODS.find((m) => m === spec["method"]) ?? "POST";
  const headers = Object.entries(asRecord(spec["headers"])).map(([name, v]) => ({
    name,
    value: headerValue(v),
  }));
  const statuses = spec["expectedStatuses"];
  const timeout = typeof spec["timeout"] === "string" ? spec["timeout"] : "";
  return {
    method,
    url: typeof spec["url"] === "string" ? spec["url"] : "",
    headers,
    body: bodyOf(spec),
    expectedStatuses: Array.isArray(statuses)
      ? statuses.filter((s): s is number => typeof s === "number")
      : undefined,
    timeoutMs: parseHttpRequestTimeout(timeout) ?? DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
  };
}

function headerValue(v: unknown): HttpHeaderValue {
  if (typeof v === "string") return { kind: "literal", value: v };
  const ref = asRecord(asRecord(v)["secretRef"]);
  return {
    kind: "secret",
    secretRef: { name: text(ref["name"]), key: text(ref["key"]) },
  };
}

function bodyOf(spec: Record<string, unknown>): HttpRequestBody | undefined {
  const form = spec["form"];
  if (form !== undefined && form !== null) {
    const fields: Record<string, string> = {};
    // Scalars (checked at load); a number or boolean as YAML wrote it.
    for (const [k, v] of Object.entries(asRecord(form)))
      fields[k] = typeof v === "string" ? v : JSON.stringify(v);
    return { kind: "form", fields };
  }
  const body = spec["body"];
  if (body === undefined || body === null) return undefined;
  return typeof body === "string" ? { kind: "text", text: body } : { kind: "json", value: body };
}

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
