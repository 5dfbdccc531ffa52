import { request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions } from "node:https";
import {
  ResponseContext,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
} from "@kubernetes/client-node";

/** A request to the API server that ran past its time. Retryable: the server may be back soon. */
export class KubernetesTimeoutError extends Error {
  constructor(
    what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what} got no answer within ${timeoutMs} ms`);
    this.name = "KubernetesTimeoutError";
  }
}

/** No answer hookline reads is this large; a bigger one is cut off rather than buffered. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * The HTTP library of `@kubernetes/client-node`, with a deadline per request. The client's own
 * (node-fetch) takes no timeout and no abort signal, so a hung API server would hold a delivery
 * past the worker's claim; this one destroys the request when the deadline passes.
 *
 * The client also builds a new TLS agent for every request, so every request paid for a TLS
 * handshake (half the time of a create against the test server). This library keeps one
 * keep-alive agent per set of TLS options the client asks for (CA, client certificate and key,
 * verification): the same trust and credentials, with connections reused. Proxy agents are used
 * as given.
 */
export function createTimeoutHttpLibrary(timeoutMs: number): HttpLibrary {
  const agents = new Map<string, HttpsAgent>();
  const reuse = (agent: ReturnType<RequestContext["getAgent"]>): typeof agent => {
    if (agent === undefined || agent.constructor !== HttpsAgent) return agent;
    const options = agent.options;
    const key = tlsKey(options);
    let kept = agents.get(key);
    if (kept === undefined) {
      kept = new HttpsAgent({ ...pickTls(options), keepAlive: true, maxSockets: 32 });
      agents.set(key, kept);
    }
    return kept;
  };
  return wrapHttpLibrary({ send: (ctx) => send(ctx, reuse(ctx.getAgent()), timeoutMs) });
}

const TLS_OPTIONS = [
  "ca",
  "cert",
  "key",
  "pfx",
  "passphrase",
  "rejectUnauthorized",
  "servername",
] as const;

function pickTls(options: AgentOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of TLS_OPTIONS) if (options[name] !== undefined) out[name] = options[name];
  return out;
}

/** The TLS options as text: equal options, one agent. */
function tlsKey(options: AgentOptions): string {
  const text = (value: unknown): unknown =>
    Buffer.isBuffer(value)
      ? value.toString("base64")
      : Array.isArray(value)
        ? value.map(text)
        : (value ?? null);
  return JSON.stringify(TLS_OPTIONS.map((name) => text(options[name])));
}

function send(
  ctx: RequestContext,
  agent: ReturnType<RequestContext["getAgent"]>,
  timeoutMs: number,
): Promise<ResponseContext> {
  const url = new URL(ctx.getUrl());
  const method = ctx.getHttpMethod().toString();
  const body = ctx.getBody();
  if (body !== undefined && typeof body !== "string" && !(body instanceof URLSearchParams)) {
    return Promise.reject(new Error("multipart bodies are not used by hookline"));
  }
  const request = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise<ResponseContext>((resolve, reject) => {
    const req = request(url, {
      method,
      headers: ctx.getHeaders(),
      ...(agent === undefined ? {} : { agent }),
    });
    const timer = setTimeout(() => {
      req.destroy(new KubernetesTimeoutError(`${method} ${url.pathname}`, timeoutMs));
    }, timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    req.on("error", fail);
    req.on("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(new Error(`${method} ${url.pathname}: answer larger than 32 MiB`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", fail);
      res.on("end", () => {
        clearTimeout(timer);
        const data = Buffer.concat(chunks);
        resolve(
          new ResponseContext(res.statusCode ?? 0, flattenHeaders(res.headers), {
            text: () => Promise.resolve(data.toString("utf8")),
            binary: () => Promise.resolve(data),
          }),
        );
      });
    });
    req.end(body === undefined ? undefined : body.toString());
  });
}

/** The client reads headers as one string each, lower-case names (as node-fetch gives them). */
function flattenHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
