import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { canonicalHeaderKey } from "../../intake/canonical-header.js";
import type { HttpAnswer, RemoteTarget } from "./types.js";

/** The most of an answer read: a webhook interceptor's answer becomes the event body. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * Why a call to a remote interceptor failed, in words fit for the decision trace: the service is
 * down, slow, cut off by the decision deadline, or answered something unusable.
 */
export class RemoteCallError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RemoteCallError";
  }
}

/**
 * POSTs `body` to the target and reads the whole answer, waiting at most `target.timeoutMs` and
 * never past `signal` (the listener's decision deadline). Throws RemoteCallError with a clear
 * reason; any HTTP status is an answer, not an error.
 */
export async function postBytes(
  target: RemoteTarget,
  header: Readonly<Record<string, readonly string[]>>,
  body: Buffer,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const where = `POST ${target.url}`;
  if (signal.aborted) throw new RemoteCallError(`${where}: not sent, the decision deadline passed`);
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(header)) headers[k] = [...v];
  headers["Content-Length"] = [String(body.length)];
  const send = target.url.startsWith("https:") ? httpsRequest : httpRequest;
  try {
    return await new Promise<HttpAnswer>((resolve, reject) => {
      const req = send(
        target.url,
        {
          method: "POST",
          headers,
          signal: both,
          ...(target.agent === undefined ? {} : { agent: target.agent }),
        },
        (res) => {
          readAnswer(res, where).then(resolve, reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  } catch (err) {
    if (err instanceof RemoteCallError) throw err;
    if (signal.aborted)
      throw new RemoteCallError(`${where}: stopped, the decision deadline passed`, { cause: err });
    if (timeout.aborted)
      throw new RemoteCallError(`${where}: no answer within ${target.timeoutMs} ms`, {
        cause: err,
      });
    throw new RemoteCallError(`${where} failed: ${describeNetworkError(err)}`, { cause: err });
  }
}

async function readAnswer(res: IncomingMessage, where: string): Promise<HttpAnswer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_ANSWER_BYTES) {
      res.destroy();
      throw new RemoteCallError(`${where}: the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(b);
  }
  const header: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(res.headersDistinct)) {
    if (v !== undefined) header[canonicalHeaderKey(k)] = v;
  }
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? "",
    header,
    body: Buffer.concat(chunks),
  };
}

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused (is the service running?)",
  ECONNRESET: "the connection was reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "the connection timed out",
  EPIPE: "the connection was closed while sending",
};

/** `connection refused …`, `TLS: unable to verify the first certificate`, … */
function describeNetworkError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code !== undefined && NETWORK_REASONS[code] !== undefined)
    return `${NETWORK_REASONS[code]} (${code})`;
  const message = err instanceof Error ? err.message : String(err);
  if (
    code !== undefined &&
    (/CERT|SSL|TLS|SELF_SIGNED|VERIFY/.test(code) || code === "ERR_TLS_CERT_ALTNAME_INVALID")
  )
    return `TLS: ${message} (${code})`;
  return code === undefined ? message : `${message} (${code})`;
}
