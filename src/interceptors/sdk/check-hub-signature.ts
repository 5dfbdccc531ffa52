import { timingSafeEqual } from "node:crypto";
import { bodyHmac } from "./body-hmac.js";

// A Set, not an object literal: a header like `constructor=…` must not find Object.prototype's keys.
const ALGORITHMS: ReadonlySet<string> = new Set(["sha1", "sha256", "sha512"]);

/**
 * go-github's ValidateSignature: `<algo>=<hex>`, HMAC over the raw body, constant-time compare.
 * Returns Tekton's failure message, or undefined when the signature is right.
 */
export function checkHubSignature(
  header: string,
  body: Buffer,
  secret: Buffer,
): string | undefined {
  if (header === "") return "missing signature";
  const eq = header.indexOf("=");
  if (eq < 0) return "error parsing signature"; // Tekton echoes the header; hookline never logs signatures.
  const algo = header.slice(0, eq);
  const hex = header.slice(eq + 1);
  if (!ALGORITHMS.has(algo)) return `unknown hash type prefix: "${algo}"`;
  // Go's hex.DecodeString reports a bad character before an odd length. Tekton also echoes the
  // header and the byte; hookline names neither.
  if (!/^[0-9a-fA-F]*$/.test(hex)) return "error decoding signature: encoding/hex: invalid byte";
  if (hex.length % 2 !== 0) return "error decoding signature: encoding/hex: odd length hex string";
  const given = Buffer.from(hex, "hex");
  const expected = bodyHmac(algo, secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return "payload signature check failed";
  return undefined;
}
