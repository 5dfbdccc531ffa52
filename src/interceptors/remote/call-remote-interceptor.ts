import type { SpanParent } from "../../core/span-parent.js";
import type { InterceptorRequest, InterceptorResponse } from "../types.js";
import { parseWireResponse, toWireRequest } from "../wire.js";
import { postBytes, RemoteCallError } from "./post-bytes.js";
import type { RemoteTarget } from "./types.js";

/** The most of a bad answer quoted in the trace. */
const QUOTE_LIMIT = 200;

/**
 * Calls an Interceptor/ClusterInterceptor service as Tekton's listener does (TEKTON-SPEC §2.5,
 * §3): POSTs the InterceptorRequest JSON, wants HTTP 200 and an InterceptorResponse (`continue`
 * missing means false; status codes as numbers or names). Anything else throws RemoteCallError
 * saying what went wrong, which stops the trigger with that reason.
 */
export async function callRemoteInterceptor(
  target: RemoteTarget,
  req: InterceptorRequest,
  params: Readonly<Record<string, unknown>>,
  signal: AbortSignal,
  trace?: SpanParent,
): Promise<InterceptorResponse> {
  const body = Buffer.from(JSON.stringify(toWireRequest(req, params)));
  const answer = await postBytes(
    target,
    { "Content-Type": ["application/json"] },
    body,
    signal,
    trace,
  );
  const where = `POST ${target.url}`;
  if (answer.status !== 200)
    throw new RemoteCallError(
      `${where} answered HTTP ${answer.status}${answer.statusText === "" ? "" : ` ${answer.statusText}`}, not 200${quote(answer.body)}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString("utf8"));
  } catch {
    throw new RemoteCallError(
      `${where}: the answer is not an InterceptorResponse: not JSON${quote(answer.body)}`,
    );
  }
  let res: InterceptorResponse;
  try {
    res = parseWireResponse(json);
  } catch (err) {
    throw new RemoteCallError(
      `${where}: the answer is not an InterceptorResponse: ${(err as Error).message}`,
    );
  }
  if (!res.continue && !hasContinue(json) && res.status.message === "") {
    // Tekton reads a missing `continue` as false; say so, or the trace would show no reason.
    return {
      continue: false,
      status: {
        code: res.status.code,
        message: 'the answer has no "continue" field, which Tekton reads as false',
      },
    };
  }
  return res;
}

function hasContinue(json: unknown): boolean {
  return typeof json === "object" && json !== null && Object.hasOwn(json, "continue");
}

function quote(body: Buffer): string {
  const text = body.toString("utf8").trim();
  if (text === "") return "";
  return `: ${JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text)}`;
}
