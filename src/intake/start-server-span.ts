import type { IncomingMessage, ServerResponse } from "node:http";
import { TLSSocket } from "node:tls";
import {
  extractTraceContext,
  SpanKind,
  SpanStatusCode,
  startSpan,
  type StartedSpan,
  type Tracer,
} from "../core/span-parent.js";

/**
 * The server span of one request to a listener (OpenTelemetry's HTTP server conventions), child
 * of the caller's W3C `traceparent` when it sent one (a CloudEvents sender, a proxy). It ends
 * when the response is done, with the status sent; nothing of the body or of a header value is
 * recorded (the path is recorded without its query).
 */
export function startServerSpan(
  tracer: Tracer,
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
): StartedSpan | undefined {
  const method = req.method ?? "POST";
  const started = startSpan(
    { tracer, context: extractTraceContext(req.headers) },
    `${method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": method,
        "http.route": route,
        "url.path": (req.url ?? "/").split("?")[0] ?? "/",
        "url.scheme": req.socket instanceof TLSSocket ? "https" : "http",
        "network.protocol.version": req.httpVersion,
        ...(req.socket.remoteAddress === undefined
          ? {}
          : { "client.address": req.socket.remoteAddress }),
        ...(req.socket.localPort === undefined ? {} : { "server.port": req.socket.localPort }),
      },
    },
  );
  if (started === undefined) return undefined;
  res.once("close", () => {
    const status = res.statusCode;
    started.span.setAttribute("http.response.status_code", status);
    // A 4xx is the sender's problem, not the server's (the conventions' rule for server spans).
    if (status >= 500) {
      started.span.setAttribute("error.type", String(status));
      started.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    started.span.end();
  });
  return started;
}
