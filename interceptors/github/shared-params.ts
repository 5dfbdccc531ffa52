import { ParamError, type SecretRef } from "../../src/interceptors/public.js";
import { parseSecretRef, parseStringList } from "./params.js";

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
