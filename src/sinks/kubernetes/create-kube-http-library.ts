import {
  ResponseContext,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
} from "@kubernetes/client-node";
import type { AgentOptions } from "node:https";
import { request } from "../../http/request.js";
import { tlsFromNodeOptions } from "../../http/tls-from-node-options.js";
import type { HttpRequest, TlsConfig } from "../../http/types.js";

/** No answer hookline reads is this large; a bigger one is cut off rather than buffered. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * The HTTP library of `@kubernetes/client-node`, on hookline's HTTP layer. It stays an
 * HttpLibrary because client-node 1.x's generated API (the dynamic object API the sink uses for
 * discovery, list, create and read) sends every request through one, and its own (node-fetch)
 * takes no timeout and no abort signal: a hung API server would hold a delivery past the
 * worker's claim. (client-node 2.x, which takes a signal, needs Node 22.)
 *
 * The client builds a new TLS agent for every request; only its TLS options (CA, client
 * certificate and key, verification: what the kubeconfig and an exec plug-in gave) are read
 * from it, and the HTTP layer keeps one keep-alive pool per distinct set, so connections are
 * reused with the same trust and credentials.
 */
export function createKubeHttpLibrary(options: {
  timeoutMs: number;
  /** The kubeconfig cluster's `proxy-url` (http or https; a socks proxy is refused). */
  proxyUrl: string | undefined;
}): HttpLibrary {
  if (options.proxyUrl?.startsWith("socks") === true) {
    throw new Error(
      "the kubeconfig's proxy-url is a socks proxy, which hookline does not support: use an http(s) proxy",
    );
  }
  return wrapHttpLibrary({ send: (ctx) => send(ctx, options.timeoutMs, options.proxyUrl) });
}

/** The TLS options of the agent the client made for this request (https.Agent or a proxy's). */
function tlsOf(agent: ReturnType<RequestContext["getAgent"]>): TlsConfig | undefined {
  if (agent === undefined) return undefined;
  const holder = agent as unknown as { options?: AgentOptions; connectOpts?: AgentOptions };
  return tlsFromNodeOptions(holder.connectOpts ?? holder.options ?? {});
}

async function send(
  ctx: RequestContext,
  timeoutMs: number,
  proxyUrl: string | undefined,
): Promise<ResponseContext> {
  const body = ctx.getBody();
  if (body !== undefined && typeof body !== "string" && !(body instanceof URLSearchParams)) {
    throw new Error("multipart bodies are not used by hookline");
  }
  const answer = await request({
    method: ctx.getHttpMethod().toString() as HttpRequest["method"],
    url: ctx.getUrl(),
    headers: ctx.getHeaders(),
    ...(body === undefined ? {} : { body: body.toString() }),
    timeoutMs,
    maxBytes: MAX_RESPONSE_BYTES,
    tls: tlsOf(ctx.getAgent()),
    proxy: proxyUrl,
  });
  // The client reads headers as one string each, lower-case names (as node-fetch gives them).
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(answer.header)) headers[name] = values.join(", ");
  return new ResponseContext(answer.status, headers, {
    text: () => Promise.resolve(answer.body.toString("utf8")),
    binary: () => Promise.resolve(answer.body),
  });
}
