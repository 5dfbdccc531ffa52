import { ParamError, type SecretRef } from "../types.js";
import { isRecord, paramValue } from "./param-value.js";

/** Go's decoder ignores unknown params; hookline names them, since they are always a mistake. */
export function assertKnownParams(
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
  assertKnownParams(value, `${field}.`, ["secretName", "secretKey"]);
  const secretName = paramValue(value, "secretName") ?? "";
  const secretKey = paramValue(value, "secretKey") ?? "";
  if (typeof secretName !== "string" || typeof secretKey !== "string")
    throw new ParamError(field, `${field}.secretName and secretKey must be strings`);
  return { secretName, secretKey };
}

/**
 * Parses `secretRefs: [{secretName, secretKey}, …]`, hookline's key-rotation param: a signature
 * passes when any one of these secrets verifies it. Unlike Tekton's `secretRef` (whose empty key is
 * a per-event rejection), an empty list, or an empty name or key, is a load-time ParamError.
 * @example const refs = parseSecretRefs(paramValue(params, "secretRefs"), "secretRefs");
 */
export function parseSecretRefs(value: unknown, field: string): SecretRef[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0)
    throw new ParamError(field, `${field} must be a non-empty list of {secretName, secretKey}`);
  return value.map((item: unknown, i) => {
    const at = `${field}[${i}]`;
    const ref = parseSecretRef(item, at);
    if (ref === undefined || ref.secretName === "" || ref.secretKey === "")
      throw new ParamError(at, `${at} needs a non-empty secretName and secretKey`);
    return ref;
  });
}

export function parseStringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw new ParamError(field, `${field} must be a list of strings`);
  return value;
}

export function parseBoolParam(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new ParamError(field, `${field} must be true or false`);
  return value;
}

/**
 * `secretRef` and `eventTypes`, the params of the gitlab and bitbucket interceptors, plus hookline's
 * `secretRefs` (key rotation: any one may match).
 */
export interface TokenParams {
  secretRef?: SecretRef;
  secretRefs?: SecretRef[];
  eventTypes?: string[];
}

export function parseTokenParams(params: Readonly<Record<string, unknown>>): TokenParams {
  const out: TokenParams = {};
  for (const [key, value] of Object.entries(params)) {
    const k = key.toLowerCase();
    if (k === "secretref") {
      const ref = parseSecretRef(value, "secretRef");
      if (ref !== undefined) out.secretRef = ref;
    } else if (k === "secretrefs") {
      const refs = parseSecretRefs(value, "secretRefs");
      if (refs !== undefined) out.secretRefs = refs;
    } else if (k === "eventtypes") {
      const types = parseStringList(value, "eventTypes");
      if (types !== undefined) out.eventTypes = types;
    } else {
      throw new ParamError(
        key,
        `unknown param "${key}"; expected secretRef, secretRefs or eventTypes`,
      );
    }
  }
  return out;
}

/**
 * `addChangedFiles: {enabled, personalAccessToken}`: the github interceptor's param, which the
 * gitlab interceptor takes too (beyond Tekton).
 */
export function parseAddChangedFiles(
  value: unknown,
): { enabled: boolean; personalAccessToken?: SecretRef } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    throw new ParamError(
      "addChangedFiles",
      "addChangedFiles must be an object with enabled and personalAccessToken",
    );
  }
  assertKnownParams(value, "addChangedFiles.", ["enabled", "personalAccessToken"]);
  const pat = parseSecretRef(
    paramValue(value, "personalAccessToken"),
    "addChangedFiles.personalAccessToken",
  );
  return {
    enabled: parseBoolParam(paramValue(value, "enabled"), "addChangedFiles.enabled"),
    ...(pat === undefined ? {} : { personalAccessToken: pat }),
  };
}
