import type { InterceptorContext, InterceptorResponse, SecretRef } from "../types.js";
import { readSecret } from "./read-secret.js";

/**
 * Reads every secret of a key-rotation list (`allSecretRefs(params)`). One that cannot be read is
 * skipped, with a warning naming it (never its value), as long as another can: the signature then
 * has to match one of those read. When none can be read, the answer is Tekton's rejection for the
 * first (FAILED_PRECONDITION `error getting secret: …`).
 * @example
 * const s = await readSecrets(ctx, allSecretRefs(params));
 * if (!s.ok) return s.response;
 * if (!s.values.some((key) => verify(key))) return reject(…);
 */
export async function readSecrets(
  ctx: InterceptorContext,
  refs: readonly SecretRef[],
): Promise<
  | {
      ok: true;
      values: Buffer[];
      /** The secretRef each value was read from (`refs[i]` for `values[i]`): to name one in a log. */
      refs: SecretRef[];
    }
  | { ok: false; response: InterceptorResponse }
> {
  const results = await Promise.all(refs.map((ref) => readSecret(ctx, ref)));
  const values: Buffer[] = [];
  const read: SecretRef[] = [];
  let firstFailure: InterceptorResponse | undefined;
  const unreadable: SecretRef[] = [];
  results.forEach((result, i) => {
    const ref = refs[i];
    if (result.ok) {
      values.push(result.value);
      if (ref !== undefined) read.push(ref);
    } else {
      firstFailure ??= result.response;
      if (ref !== undefined) unreadable.push(ref);
    }
  });
  if (values.length === 0)
    return {
      ok: false,
      response: firstFailure ?? {
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message: "error getting secret: no secretRef given",
        },
      },
    };
  for (const ref of unreadable)
    ctx.log.warn("secret could not be read; checking the other secretRefs", {
      secretName: ref.secretName,
      secretKey: ref.secretKey,
    });
  return { ok: true, values, refs: read };
}
