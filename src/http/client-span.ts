import {
  SpanKind,
  SpanStatusCode,
  startSpan,
  traceCarrierOf,
  type SpanParent,
  type StartedSpan,
} from "../core/span-parent.js";
import type { HttpRequest } from "./types.js";

/** An outgoing call's span and the headers that carry its context to the server. */
export interface ClientSpan {
  readonly started: StartedSpan;
  /** The call's headers with `traceparent` (and `tracestate`) set to this span's context. */
  readonly headers: Record<string, string | readonly string[]>;
  /** Ends the span with the answer's status, or with the failure's kind. */
  end(outcome: { status: number } | { failure: string }): void;
}

/**
 * The client span of an outgoing call (OpenTelemetry's HTTP client conventions): method, server
 * address and port, the URL without user info or query (either may hold a token), the answer's
 * status. The caller's own trace headers are replaced: the server continues this span.
 */
export function startClientSpan(trace: SpanParent, req: HttpRequest): ClientSpan | undefined {
  let url: URL | undefined;
  try {
    url = new URL(req.url);
  } catch {
    url = undefined;
  }
  const started = startSpan(trace, req.method, {
    kind: SpanKind.CLIENT,
    attributes: {
      "http.request.method": req.method,
      ...(url === undefined
        ? {}
        : {
            "server.address": url.hostname,
            "server.port": Number(url.port || (url.protocol === "https:" ? 443 : 80)),
            "url.full": `${url.origin}${url.pathname}`,
          }),
    },
  });
  if (started === undefined) return undefined;
  const headers: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower !== "traceparent" && lower !== "tracestate") headers[name] = value;
  }
  Object.assign(headers, traceCarrierOf(started.span));
  return {
    started,
    headers,
    end(outcome) {
      const { span } = started;
      if ("status" in outcome) {
        span.setAttribute("http.response.status_code", outcome.status);
        if (outcome.status >= 400) {
          span.setAttribute("error.type", String(outcome.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } else {
        span.setAttribute("error.type", outcome.failure);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}
