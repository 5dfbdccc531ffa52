import { HttpError } from "../../http/http-error.js";
import { request } from "../../http/request.js";
import { canonicalHeaderKey } from "../../core/canonical-header.js";
import type { SpanParent } from "../../core/span-parent.js";
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
 * POSTs `body` to the target through hookline's HTTP layer and reads the whole answer, waiting
 * at most `target.timeoutMs` and never past `signal` (the listener's decision deadline). Throws
 * RemoteCallError with the layer's plain-words reason; any HTTP status is an answer.
 */
export async function postBytes(
  target: RemoteTarget,
  header: Readonly<Record<string, readonly string[]>>,
  body: Buffer,
  signal: AbortSignal,
  trace?: SpanParent,
): Promise<HttpAnswer> {
  try {
    const answer = await request({
      method: "POST",
      url: target.url,
      headers: header,
      body,
      timeoutMs: target.timeoutMs,
      signal,
      abortReason: "the decision deadline passed",
      maxBytes: MAX_ANSWER_BYTES,
      tls: target.tls,
      trace,
    });
    const canonical: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(answer.header)) canonical[canonicalHeaderKey(k)] = v;
    return { ...answer, header: canonical };
  } catch (err) {
    if (err instanceof HttpError) throw new RemoteCallError(err.message, { cause: err });
    throw err;
  }
}
