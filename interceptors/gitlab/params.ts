import {
  assertKnownParams,
  paramValue,
  parseAddChangedFiles,
  parseSecretRef,
  parseSecretRefs,
  parseStringList,
  type SecretRef,
} from "../../src/interceptors/public.js";

/**
 * The params of the gitlab interceptor: Tekton's `secretRef` and `eventTypes` (TEKTON-SPEC §4.2),
 * plus two of hookline's: `secretRefs` (several accepted tokens, for key rotation) and
 * `addChangedFiles` (the merge request's files, as the github interceptor's param of that name).
 */
export interface GitlabParams {
  secretRef?: SecretRef;
  secretRefs?: SecretRef[];
  eventTypes?: string[];
  addChangedFiles?: { enabled: boolean; personalAccessToken?: SecretRef };
}

const KNOWN = ["secretRef", "secretRefs", "eventTypes", "addChangedFiles"] as const;

/** unknown → GitlabParams; throws ParamError naming the field. Names match case-insensitively. */
export function parseGitlabParams(params: Readonly<Record<string, unknown>>): GitlabParams {
  assertKnownParams(params, "", KNOWN);
  const out: GitlabParams = {};
  const secretRef = parseSecretRef(paramValue(params, "secretRef"), "secretRef");
  if (secretRef !== undefined) out.secretRef = secretRef;
  const secretRefs = parseSecretRefs(paramValue(params, "secretRefs"), "secretRefs");
  if (secretRefs !== undefined) out.secretRefs = secretRefs;
  const eventTypes = parseStringList(paramValue(params, "eventTypes"), "eventTypes");
  if (eventTypes !== undefined) out.eventTypes = eventTypes;
  const acf = parseAddChangedFiles(paramValue(params, "addChangedFiles"));
  if (acf !== undefined) out.addChangedFiles = acf;
  return out;
}
