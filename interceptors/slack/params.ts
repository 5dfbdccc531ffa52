import {
  allSecretRefs,
  assertKnownParams,
  ParamError,
  paramValue,
  parseSecretRef,
  parseSecretRefs,
  type SecretRef,
} from "../../src/interceptors/public.js";

export interface SlackParams {
  /** Tekton's param. Left unset, each event is rejected (NOT_FOUND), as in Tekton. */
  requestedFields?: string[];
  /**
   * hookline's: Slack signing secrets (`secretRef` then `secretRefs`). When any is set,
   * X-Slack-Signature is verified and one of them has to match.
   */
  secretRefs?: SecretRef[];
}

export function parseSlackParams(params: Readonly<Record<string, unknown>>): SlackParams {
  assertKnownParams(params, "", ["requestedFields", "secretRef", "secretRefs"]);
  const out: SlackParams = {};
  const fields = paramValue(params, "requestedFields");
  if (fields !== undefined && fields !== null) {
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === "string"))
      throw new ParamError("requestedFields", "requestedFields must be a list of strings");
    out.requestedFields = fields;
  }
  const secretRef = parseSecretRef(paramValue(params, "secretRef"), "secretRef");
  if (secretRef !== undefined && (secretRef.secretName === "" || secretRef.secretKey === ""))
    throw new ParamError("secretRef", "secretRef needs a non-empty secretName and secretKey");
  const refs = allSecretRefs({
    ...(secretRef === undefined ? {} : { secretRef }),
    secretRefs: parseSecretRefs(paramValue(params, "secretRefs"), "secretRefs") ?? [],
  });
  if (refs.length > 0) out.secretRefs = refs;
  return out;
}
