import { HooklineError } from "../../errors/hookline-error.js";
import type { InterceptorContext, InterceptorResponse, SecretRef } from "../types.js";

/**
 * Reads a secret for an interceptor, or gives Tekton's rejection when it cannot
 * (FAILED_PRECONDITION `error getting secret: …`; the message never holds a value). The rejection
 * carries `failure`, so that the trigger is recorded as _failed_ (`HL_SECRET_NOT_FOUND` for a
 * secret or key that exists nowhere), not as a filter that said no.
 * @example const s = await readSecret(ctx, params.secretRef); if (!s.ok) return s.response;
 */
export async function readSecret(
  ctx: InterceptorContext,
  ref: SecretRef,
): Promise<{ ok: true; value: Buffer } | { ok: false; response: InterceptorResponse }> {
  try {
    return { ok: true, value: await ctx.secrets.get(ref, ctx.namespace) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      response: {
        continue: false,
        status: { code: "FAILED_PRECONDITION", message: `error getting secret: ${message}` },
        // A cluster that could not be asked (403, no API server) is as much our failure.
        failure: { code: err instanceof HooklineError ? err.code : "HL_SECRET_NOT_FOUND" },
      },
    };
  }
}
