import { createHmac, timingSafeEqual } from "node:crypto";
import {
  accept,
  firstHeader,
  readSecrets,
  reject,
  type Interceptor,
  type InterceptorContext,
  type InterceptorResponse,
  type RawRequest,
} from "../../src/interceptors/public.js";
import { parseHmacParams, type HmacEncoding, type HmacParams } from "./params.js";

const auth = { authFailure: true };

/**
 * A generic HMAC signature check for any sender: the named header holds `<prefix><digest>`, the
 * digest being the hex or base64 HMAC of the raw body with the shared secret.
 */
export const hmac: Interceptor<HmacParams> = {
  name: "hmac",
  parseParams: parseHmacParams,
  secretRefs: (params) => params.secretRefs,
  process: async (req, params, ctx) =>
    // The body as received (before any form-to-JSON conversion): what the sender signed.
    checkHmac({ body: req.rawBody ?? req.body, header: req.header }, params, ctx),
  // The whole check is over a header and the bytes: the auth-first gate's too.
  authenticator: (params) => (raw, ctx) => checkHmac(raw, params, ctx),
};

async function checkHmac(
  req: RawRequest,
  params: HmacParams,
  ctx: InterceptorContext,
): Promise<InterceptorResponse> {
  const value = firstHeader(req.header, params.header) ?? "";
  if (value === "") return reject("INVALID_ARGUMENT", `no ${params.header} header set`, auth);
  if (!value.startsWith(params.prefix))
    return reject(
      "FAILED_PRECONDITION",
      `${params.header} does not start with "${params.prefix}"`,
      auth,
    );
  const given = decode(value.slice(params.prefix.length), params.encoding);
  if (given === undefined)
    return reject(
      "FAILED_PRECONDITION",
      `error decoding signature: ${params.header} is not ${params.encoding}`,
      auth,
    );
  const secrets = await readSecrets(ctx, params.secretRefs);
  if (!secrets.ok) return secrets.response;
  const body = req.body;
  const matches = secrets.values.map((secret) => {
    const expected = createHmac(params.algorithm, secret).update(body).digest();
    // The digest length is public (it follows from the algorithm); the bytes are compared in
    // constant time.
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches.includes(true))
    return reject("FAILED_PRECONDITION", "payload signature check failed", auth);
  return accept();
}

function decode(text: string, encoding: HmacEncoding): Buffer | undefined {
  switch (encoding) {
    case "hex":
      return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, "hex") : undefined;
    case "base64":
      // Standard or URL-safe alphabet, padding optional. Buffer.from would skip bad characters.
      return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, "base64") : undefined;
  }
}
