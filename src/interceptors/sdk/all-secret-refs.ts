import type { SecretRef } from "../types.js";

/**
 * Every secret a signature may match: `secretRef` first, then `secretRefs` (key rotation) in order.
 * @example const refs = allSecretRefs(params); if (refs.length === 0) return accept();
 */
export function allSecretRefs(params: {
  readonly secretRef?: SecretRef;
  readonly secretRefs?: readonly SecretRef[];
}): SecretRef[] {
  return [
    ...(params.secretRef === undefined ? [] : [params.secretRef]),
    ...(params.secretRefs ?? []),
  ];
}
