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

/** `secretRef` and `eventTypes`: the params of the gitlab and bitbucket interceptors. */
export interface TokenParams {
  secretRef?: SecretRef;
  eventTypes?: string[];
}

export function parseTokenParams(params: Readonly<Record<string, unknown>>): TokenParams {
  const out: TokenParams = {};
  for (const [key, value] of Object.entries(params)) {
    const k = key.toLowerCase();
    if (k === "secretref") {
      const ref = parseSecretRef(value, "secretRef");
      if (ref !== undefined) out.secretRef = ref;
    } else if (k === "eventtypes") {
      const types = parseStringList(value, "eventTypes");
      if (types !== undefined) out.eventTypes = types;
    } else {
      throw new ParamError(key, `unknown param "${key}"; expected secretRef or eventTypes`);
    }
  }
  return out;
}
