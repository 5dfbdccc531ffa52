/**
 * Tekton's InterceptorRequest and InterceptorResponse as JSON on the wire (TEKTON-SPEC §3), for
 * interceptors that run as HTTP services. In-process interceptors get the same data without the
 * round trip through JSON (`InterceptorRequest` in types.ts).
 */
import {
  statusCodes,
  type InterceptorRequest,
  type InterceptorResponse,
  type StatusCodeName,
  type TriggerContext,
} from "./types.js";

/** The JSON body POSTed to an interceptor service. Empty fields are omitted, as Go's omitempty does. */
export interface WireInterceptorRequest {
  body?: string;
  header?: Record<string, string[]>;
  extensions?: Record<string, unknown>;
  interceptor_params?: Record<string, unknown>;
  context: Partial<TriggerContext>;
}

export function toWireRequest(
  req: InterceptorRequest,
  params: Readonly<Record<string, unknown>>,
): WireInterceptorRequest {
  const out: WireInterceptorRequest = { context: { ...req.context } };
  if (req.body.length > 0) out.body = req.body.toString("utf8");
  if (Object.keys(req.header).length > 0)
    out.header = Object.fromEntries(Object.entries(req.header).map(([k, v]) => [k, [...v]]));
  if (Object.keys(req.extensions).length > 0) out.extensions = { ...req.extensions };
  if (Object.keys(params).length > 0) out.interceptor_params = { ...params };
  return out;
}

const NAMES = new Map<number, StatusCodeName>(
  Object.entries(statusCodes).map(([name, n]) => [n, name as StatusCodeName]),
);

/**
 * Reads an interceptor service's answer. `continue` missing means false; `status.code` may be a
 * number or a name (`"FAILED_PRECONDITION"` or Go's `"FailedPrecondition"`), as Go's decoder takes
 * both. Throws an Error saying what is wrong with an answer that is not an InterceptorResponse.
 */
export function parseWireResponse(value: unknown): InterceptorResponse {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("interceptor response is not a JSON object");
  const res = value as Record<string, unknown>;
  const extensions = res["extensions"];
  if (
    extensions !== undefined &&
    extensions !== null &&
    (typeof extensions !== "object" || Array.isArray(extensions))
  ) {
    throw new Error("interceptor response extensions is not an object");
  }
  if (res["continue"] === true) {
    return extensions === undefined || extensions === null
      ? { continue: true }
      : { continue: true, extensions: extensions as Record<string, unknown> };
  }
  const status = (res["status"] ?? {}) as Record<string, unknown>;
  const message = typeof status["message"] === "string" ? status["message"] : "";
  return { continue: false, status: { code: parseCode(status["code"]), message } };
}

function parseCode(code: unknown): StatusCodeName {
  if (code === undefined || code === null) return "OK";
  if (typeof code === "number") {
    const name = NAMES.get(code);
    if (name === undefined) throw new Error(`unknown status code ${code}`);
    return name;
  }
  if (typeof code === "string") {
    const upper = code.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
    if (upper in statusCodes) return upper as StatusCodeName;
  }
  throw new Error(`unknown status code ${JSON.stringify(code)}`);
}

/** The response's JSON as Tekton writes it: `continue` always present, the code as a number. */
export function toWireResponse(res: InterceptorResponse): Record<string, unknown> {
  if (res.continue)
    return res.extensions === undefined
      ? { continue: true }
      : { extensions: res.extensions, continue: true };
  const code = statusCodes[res.status.code];
  return {
    continue: false,
    status: code === 0 ? { message: res.status.message } : { code, message: res.status.message },
  };
}
