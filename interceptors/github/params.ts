import { isRecord, ParamError, paramValue, type SecretRef } from "../../src/interceptors/public.js";

export type OwnersCheckType = "orgMembers" | "repoMembers" | "all" | "none";

/** The params of Tekton's github interceptor (TEKTON-SPEC §4.1). */
export interface GithubParams {
  secretRef?: SecretRef;
  eventTypes?: string[];
  addChangedFiles?: { enabled: boolean; personalAccessToken?: SecretRef };
  githubOwners?: { enabled: boolean; personalAccessToken?: SecretRef; checkType: OwnersCheckType };
}

const CHECK_TYPES: readonly OwnersCheckType[] = ["orgMembers", "repoMembers", "all", "none"];

export function parseGithubParams(params: Readonly<Record<string, unknown>>): GithubParams {
  assertKnown(params, "", ["secretRef", "eventTypes", "addChangedFiles", "githubOwners"]);
  const out: GithubParams = {};
  const secretRef = parseSecretRef(paramValue(params, "secretRef"), "secretRef");
  if (secretRef !== undefined) out.secretRef = secretRef;
  const eventTypes = parseStringList(paramValue(params, "eventTypes"), "eventTypes");
  if (eventTypes !== undefined) out.eventTypes = eventTypes;
  const acf = paramValue(params, "addChangedFiles");
  if (acf !== undefined && acf !== null) {
    if (!isRecord(acf))
      throw new ParamError(
        "addChangedFiles",
        "addChangedFiles must be an object with enabled and personalAccessToken",
      );
    assertKnown(acf, "addChangedFiles.", ["enabled", "personalAccessToken"]);
    const pat = parseSecretRef(
      paramValue(acf, "personalAccessToken"),
      "addChangedFiles.personalAccessToken",
    );
    out.addChangedFiles = {
      enabled: parseBool(paramValue(acf, "enabled"), "addChangedFiles.enabled"),
      ...(pat ? { personalAccessToken: pat } : {}),
    };
  }
  const owners = paramValue(params, "githubOwners");
  if (owners !== undefined && owners !== null) {
    if (!isRecord(owners))
      throw new ParamError(
        "githubOwners",
        "githubOwners must be an object with enabled, personalAccessToken and checkType",
      );
    assertKnown(owners, "githubOwners.", ["enabled", "personalAccessToken", "checkType"]);
    const pat = parseSecretRef(
      paramValue(owners, "personalAccessToken"),
      "githubOwners.personalAccessToken",
    );
    const checkType = paramValue(owners, "checkType") ?? "none";
    const ct = CHECK_TYPES.find((c) => c === checkType);
    if (ct === undefined)
      throw new ParamError(
        "githubOwners.checkType",
        `checkType must be one of ${CHECK_TYPES.join(", ")}`,
      );
    out.githubOwners = {
      enabled: parseBool(paramValue(owners, "enabled"), "githubOwners.enabled"),
      checkType: ct,
      ...(pat ? { personalAccessToken: pat } : {}),
    };
  }
  return out;
}

/** Go's decoder ignores unknown params; hookline names them, since they are always a mistake. */
function assertKnown(
  obj: Readonly<Record<string, unknown>>,
  prefix: string,
  known: readonly string[],
): void {
  for (const key of Object.keys(obj)) {
    if (!known.some((k) => k.toLowerCase() === key.toLowerCase())) {
      throw new ParamError(
        `${prefix}${key}`,
        `unknown param "${prefix}${key}"; expected one of ${known.join(", ")}`,
      );
    }
  }
}

export function parseSecretRef(value: unknown, field: string): SecretRef | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value))
    throw new ParamError(field, `${field} must be an object with secretName and secretKey`);
  assertKnown(value, `${field}.`, ["secretName", "secretKey"]);
  const secretName = paramValue(value, "secretName") ?? "";
  const secretKey = paramValue(value, "secretKey") ?? "";
  if (typeof secretName !== "string" || typeof secretKey !== "string")
    throw new ParamError(field, `${field}.secretName and secretKey must be strings`);
  return { secretName, secretKey };
}

export function parseStringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new ParamError(field, `${field} must be a list of strings`);
  return value;
}

function parseBool(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new ParamError(field, `${field} must be true or false`);
  return value;
}
