import { STATUS_CODES } from "node:http";
import type { Dispatcher } from "undici";
import { lazyPackage } from "../core/lazy-package.js";
import { describeNetworkError } from "./describe-network-error.js";
import { startClientSpan } from "./client-span.js";
import { describeUrl } from "./describe-url.js";
import { dispatcherFor } from "./dispatcher-for.js";
import { HttpError } from "./http-error.js";
import { DESTINATION_REFUSED } from "./destination-guard.js";
import { formatBytes, readFirstBytes, readLimitedBody } from "./read-limited-body.js";
import type { HttpAnswer, HttpRequest } from "./types.js";

/**
 * Headers that belong to one connection (RFC 9110 §7.6.1) or that the client sets itself:
 * an incoming request's values would be wrong here, and undici refuses some of them.
 */
const HOP_HEADERS = new Set([
  "connection",
  "content-length",
  "expect",
  "host",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * undici (~130 ms to load) is imported at the first outgoing call, not at start-up: a config
 * with no remote interceptor, HTTPRequest, CloudEvent or Kubernetes sink makes none.
 */
const loadUndici = lazyPackage("undici", "outgoing HTTP calls", () => import("undici"));

/**
 * hookline's one way to make an outgoing HTTP call: undici over a keep-alive pool per TLS
 * config, the caller's signal and a per-call timeout joined with `AbortSignal.any`, the answer
 * read in full up to `maxBytes`. Any HTTP status is an answer; everything else throws an
 * HttpError whose message says what failed in plain words, e.g.
 * `POST http://127.0.0.1:9/ failed: connection refused (is the service running?) (ECONNREFUSED)`,
 * `GET https://k8s/api/v1: no answer within 15000 ms`, `POST https://x/: the answer is over 32 MiB`.
 *
 * undici's `request`, not `fetch`: fetch joins a repeated header's values into one line, and
 * Tekton (Go's net/http) sends and reads each on its own line. The status text is the standard
 * one for the code (Go's servers send no other; HTTP/2 has none), which is what messages quote.
 */
export async function request(req: HttpRequest): Promise<HttpAnswer> {
  const client = req.trace === undefined ? undefined : startClientSpan(req.trace, req);
  if (client === undefined) return send(req);
  try {
    const answer = await send({ ...req, headers: client.headers });
    client.end({ status: answer.status });
    return answer;
  } catch (err) {
    client.end({ failure: err instanceof HttpError ? err.kind : "error" });
    throw err;
  }
}

async function send(req: HttpRequest): Promise<HttpAnswer> {
  const where = `${req.method} ${describeUrl(req.url)}`;
  const abortReason = req.abortReason ?? "the caller gave up";
  if (req.signal?.aborted === true)
    throw new HttpError("not-sent", where, `${where}: not sent, ${abortReason}`, undefined);
  const refusal = req.guard === undefined ? undefined : refusalOf(req.guard, req.url);
  if (refusal !== undefined)
    throw new HttpError("refused", where, `${where}: not sent, ${refusal}`, DESTINATION_REFUSED);
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal === undefined ? timeout : AbortSignal.any([req.signal, timeout]);
  const failed = (err: unknown): HttpError => {
    if (err instanceof HttpError) return err;
    if (req.signal?.aborted === true)
      return new HttpError("aborted", where, `${where}: stopped, ${abortReason}`, undefined, {
        cause: err,
      });
    if (timeout.aborted)
      return new HttpError(
        "timeout",
        where,
        `${where}: no answer within ${req.timeoutMs} ms`,
        undefined,
        { cause: err },
      );
    const { text, code } = describeNetworkError(err);
    // The guard's lookup refused an address the host resolved to.
    if (code === DESTINATION_REFUSED)
      return new HttpError("refused", where, `${where}: not sent, ${text}`, code, { cause: err });
    return new HttpError("network", where, `${where} failed: ${text}`, code, { cause: err });
  };
  // Outside the try: a missing package is HL_PACKAGE_MISSING, not a network error.
  const undici = await loadUndici();
  let res: Dispatcher.ResponseData;
  try {
    res = await undici.request(req.url, {
      method: req.method,
      headers: toHeaders(req.headers),
      ...(req.body === undefined ? {} : { body: req.body }),
      signal,
      dispatcher: dispatcherFor(undici, req.tls, req.proxy, req.guard),
    });
  } catch (err) {
    throw failed(err);
  }
  let body: Buffer | undefined;
  let truncated: boolean | undefined;
  try {
    if (typeof req.maxBytes === "object")
      ({ body, truncated } = await readFirstBytes(res.body, req.maxBytes.first));
    else if (req.maxBytes === "discard") {
      // Reads a little so that a short answer leaves the connection reusable, then drops it.
      await res.body.dump({ limit: 64 * 1024 });
      body = Buffer.alloc(0);
    } else body = await readLimitedBody(res.body, req.maxBytes);
  } catch (err) {
    throw failed(err);
  }
  if (body === undefined)
    throw new HttpError(
      "too-large",
      where,
      `${where}: the answer is over ${formatBytes(Number(req.maxBytes))}`,
      undefined,
    );
  const header: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) header[name] = Array.isArray(value) ? value : [value];
  }
  return {
    status: res.statusCode,
    statusText: STATUS_CODES[res.statusCode] ?? "",
    header,
    body,
    ...(truncated === undefined ? {} : { truncated }),
  };
}

function refusalOf(guard: NonNullable<HttpRequest["guard"]>, url: string): string | undefined {
  try {
    return guard.refusal(new URL(url));
  } catch {
    return "the URL is not valid";
  }
}

function toHeaders(headers: HttpRequest["headers"]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (HOP_HEADERS.has(name.toLowerCase())) continue;
    out[name] = typeof value === "string" ? value : [...value];
  }
  return out;
}
