import {
  ParamError,
  statusCodes,
  type Authenticate,
  type Interceptor,
  type InterceptorResponse,
} from "../types.js";

/**
 * Guards hookline from a plug-in: a ParamError from another copy of the SDK (or any error with a
 * string `field`) is still reported at its field; any other error from `parseParams` becomes a
 * config error at the params; an answer from `process` that is not an InterceptorResponse fails
 * the trigger with a clear reason instead of a TypeError deep in the chain.
 */
export function wrapPlugin(plugin: Interceptor<unknown>, file: string): Interceptor<unknown> {
  return {
    name: plugin.name,
    parseParams(params) {
      try {
        return plugin.parseParams(params);
      } catch (err) {
        if (err instanceof ParamError) throw err;
        const e = err as { field?: unknown; message?: unknown; offset?: unknown };
        const message = typeof e.message === "string" ? e.message : String(err);
        if (typeof e.field === "string")
          throw new ParamError(
            e.field,
            message,
            typeof e.offset === "number" ? e.offset : undefined,
          );
        throw new ParamError("", `the ${plugin.name} plug-in refused its params: ${message}`);
      }
    },
    async process(req, params, ctx) {
      const res: unknown = await plugin.process(req, params, ctx);
      return checkResponse(res, plugin.name, file);
    },
    // A plug-in's signature check joins the auth-first gate, its answers checked as process's are;
    // one that throws at load leaves the chain to decide (the gate stays open for it).
    authenticator(params) {
      let authenticate: Authenticate | undefined;
      try {
        authenticate = plugin.authenticator?.(params);
      } catch {
        return undefined;
      }
      if (typeof authenticate !== "function") return undefined;
      const check = authenticate;
      return async (raw, ctx) => checkResponse(await check(raw, ctx), plugin.name, file);
    },
  };
}

function checkResponse(res: unknown, name: string, file: string): InterceptorResponse {
  const bad = (why: string): Error =>
    new Error(
      `the ${name} plug-in (${file}) answered something that is not an InterceptorResponse: ${why}`,
    );
  if (typeof res !== "object" || res === null)
    throw bad(`got ${res === null ? "null" : typeof res}`);
  const r = res as Record<string, unknown>;
  if (r["continue"] === true) {
    const ext = r["extensions"];
    if (ext === undefined) return { continue: true };
    if (typeof ext !== "object" || ext === null || Array.isArray(ext))
      throw bad("extensions is not an object");
    return { continue: true, extensions: ext as Record<string, unknown> };
  }
  if (r["continue"] !== false) throw bad("continue is not true or false");
  const status = r["status"] as Record<string, unknown> | undefined;
  const code = status?.["code"];
  if (typeof code !== "string" || !(code in statusCodes))
    throw bad('status.code is not a status name such as "FAILED_PRECONDITION"');
  const message = typeof status?.["message"] === "string" ? status["message"] : "";
  return {
    continue: false,
    status: { code: code as keyof typeof statusCodes, message },
    ...(r["authFailure"] === true ? { authFailure: true } : {}),
    ...(r["notApplicable"] === true ? { notApplicable: true } : {}),
  };
}
