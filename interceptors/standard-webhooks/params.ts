import {
  assertKnownParams,
  allSecretRefs,
  ParamError,
  paramValue,
  parseSecretRef,
  parseSecretRefs,
  type SecretRef,
} from "../../src/interceptors/public.js";

export interface StandardWebhooksParams {
  /** `secretRef` then `secretRefs`: a delivery passes when any one of them verifies it. */
  secretRefs: SecretRef[];
  /** How far `webhook-timestamp` may be from when hookline received the event, in seconds. */
  tolerance: number;
}

/** The spec's recommended window: five minutes either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function parseStandardWebhooksParams(
  params: Readonly<Record<string, unknown>>,
): StandardWebhooksParams {
  assertKnownParams(params, "", ["secretRef", "secretRefs", "tolerance"]);
  const secretRef = parseSecretRef(paramValue(params, "secretRef"), "secretRef");
  if (secretRef !== undefined && (secretRef.secretName === "" || secretRef.secretKey === ""))
    throw new ParamError("secretRef", "secretRef needs a non-empty secretName and secretKey");
  const secretRefs = allSecretRefs({
    ...(secretRef === undefined ? {} : { secretRef }),
    secretRefs: parseSecretRefs(paramValue(params, "secretRefs"), "secretRefs") ?? [],
  });
  if (secretRefs.length === 0)
    throw new ParamError(
      "secretRef",
      "the standard-webhooks interceptor needs secretRef or secretRefs",
    );
  return { secretRefs, tolerance: parseTolerance(paramValue(params, "tolerance")) };
}

/** Whole seconds, ≥ 0, as a number or a string of digits (Tekton params are often strings). */
export function parseTolerance(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_TOLERANCE_SECONDS;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw new ParamError("tolerance", "tolerance must be a whole number of seconds, 0 or more");
  return n;
}
