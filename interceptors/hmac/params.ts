import {
  assertKnownParams,
  allSecretRefs,
  ParamError,
  paramValue,
  parseSecretRef,
  parseSecretRefs,
  type SecretRef,
} from "../../src/interceptors/public.js";

export const HMAC_ALGORITHMS = ["sha1", "sha256", "sha512"] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export const HMAC_ENCODINGS = ["hex", "base64"] as const;
export type HmacEncoding = (typeof HMAC_ENCODINGS)[number];

export interface HmacParams {
  /** The header carrying the signature, e.g. `X-Signature`. */
  header: string;
  algorithm: HmacAlgorithm;
  encoding: HmacEncoding;
  /** Text before the digest in the header, e.g. `sha256=`; "" for none. */
  prefix: string;
  /** `secretRef` then `secretRefs`: a delivery passes when any one of them verifies it. */
  secretRefs: SecretRef[];
}

const KNOWN = ["header", "algorithm", "encoding", "prefix", "secretRef", "secretRefs"] as const;

export function parseHmacParams(params: Readonly<Record<string, unknown>>): HmacParams {
  assertKnownParams(params, "", KNOWN);
  const header = paramValue(params, "header");
  // An HTTP header name is a token (RFC 9110 §5.1).
  if (typeof header !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(header))
    throw new ParamError(
      "header",
      "header must be the name of the signature header, e.g. X-Signature",
    );
  const prefix = paramValue(params, "prefix") ?? "";
  if (typeof prefix !== "string") throw new ParamError("prefix", "prefix must be a string");
  const secretRef = parseSecretRef(paramValue(params, "secretRef"), "secretRef");
  if (secretRef !== undefined && (secretRef.secretName === "" || secretRef.secretKey === ""))
    throw new ParamError("secretRef", "secretRef needs a non-empty secretName and secretKey");
  const secretRefs = allSecretRefs({
    ...(secretRef === undefined ? {} : { secretRef }),
    secretRefs: parseSecretRefs(paramValue(params, "secretRefs"), "secretRefs") ?? [],
  });
  if (secretRefs.length === 0)
    throw new ParamError("secretRef", "the hmac interceptor needs secretRef or secretRefs");
  return {
    header,
    algorithm: oneOf(paramValue(params, "algorithm"), "algorithm", HMAC_ALGORITHMS, "sha256"),
    encoding: oneOf(paramValue(params, "encoding"), "encoding", HMAC_ENCODINGS, "hex"),
    prefix,
    secretRefs,
  };
}

function oneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === null) return fallback;
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw new ParamError(field, `${field} must be one of ${allowed.join(", ")}`);
  return found;
}
