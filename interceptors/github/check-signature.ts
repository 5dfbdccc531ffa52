import { createHmac, timingSafeEqual } from "node:crypto";

const ALGORITHMS: Record<string, number> = { sha1: 20, sha256: 32, sha512: 64 };

/**
 * go-github's ValidateSignature: `<algo>=<hex>`, HMAC over the raw body, constant-time compare.
 * Returns Tekton's failure message, or undefined when the signature is right.
 */
export function checkSignature(header: string, body: Buffer, secret: Buffer): string | undefined {
  if (header === "") return "missing signature";
  const eq = header.indexOf("=");
  if (eq < 0) return "error parsing signature"; // Tekton echoes the header; hookline never logs signatures.
  const algo = header.slice(0, eq);
  const hex = header.slice(eq + 1);
  const size = ALGORITHMS[algo];
  if (size === undefined) return `unknown hash type prefix: "${algo}"`;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex))
    return "error decoding signature: encoding/hex: invalid byte";
  const given = Buffer.from(hex, "hex");
  const expected = createHmac(algo, secret).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return "payload signature check failed";
  return undefined;
}
