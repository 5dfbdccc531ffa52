import {
  assertKnownParams,
  isRecord,
  ParamError,
  paramValue,
  parseAddChangedFiles,
  parseBoolParam,
  parseSecretRef,
  parseStringList,
  type SecretRef,
} from "../../src/interceptors/public.js";

export type OwnersCheckType = "orgMembers" | "repoMembers" | "all" | "none";

/** The params of Tekton's github interceptor (TEKTON-SPEC §4.1). */
export interface GithubParams {
  secretRef?: SecretRef;
  eventTypes?: string[];
  addChangedFiles?: { enabled: boolean; personalAccessToken?: SecretRef };
  /**
   * `checkType` is left out when not given: Tekton then checks only the OWNERS file, like `none`,
   * but still wants a personalAccessToken (it compares with "none").
   */
  githubOwners?: { enabled: boolean; personalAccessToken?: SecretRef; checkType?: OwnersCheckType };
}

const CHECK_TYPES: readonly OwnersCheckType[] = ["orgMembers", "repoMembers", "all", "none"];

export function parseGithubParams(params: Readonly<Record<string, unknown>>): GithubParams {
  assertKnownParams(params, "", ["secretRef", "eventTypes", "addChangedFiles", "githubOwners"]);
  const out: GithubParams = {};
  const secretRef = parseSecretRef(paramValue(params, "secretRef"), "secretRef");
  if (secretRef !== undefined) out.secretRef = secretRef;
  const eventTypes = parseStringList(paramValue(params, "eventTypes"), "eventTypes");
  if (eventTypes !== undefined) out.eventTypes = eventTypes;
  const acf = parseAddChangedFiles(paramValue(params, "addChangedFiles"));
  if (acf !== undefined) out.addChangedFiles = acf;
  const owners = paramValue(params, "githubOwners");
  if (owners !== undefined && owners !== null) {
    if (!isRecord(owners))
      throw new ParamError(
        "githubOwners",
        "githubOwners must be an object with enabled, personalAccessToken and checkType",
      );
    assertKnownParams(owners, "githubOwners.", ["enabled", "personalAccessToken", "checkType"]);
    const pat = parseSecretRef(
      paramValue(owners, "personalAccessToken"),
      "githubOwners.personalAccessToken",
    );
    const checkType = paramValue(owners, "checkType");
    const ct = CHECK_TYPES.find((c) => c === checkType);
    // "" is Go's zero value, as if left out.
    if (ct === undefined && checkType !== undefined && checkType !== null && checkType !== "")
      throw new ParamError(
        "githubOwners.checkType",
        `checkType must be one of ${CHECK_TYPES.join(", ")}`,
      );
    out.githubOwners = {
      enabled: parseBoolParam(paramValue(owners, "enabled"), "githubOwners.enabled"),
      ...(ct === undefined ? {} : { checkType: ct }),
      ...(pat ? { personalAccessToken: pat } : {}),
    };
  }
  return out;
}
