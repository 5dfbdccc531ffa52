import type { InterceptorContext, InterceptorResponse, SecretRef } from "../types.js";

/**
 * Reads a secret for an interceptor, or gives Tekton's rejection when it cannot
 * (FAILED_PRECONDITION `error getting secret: …`; the message never holds a value).
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
      },
    };
  }
}
