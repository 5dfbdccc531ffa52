import { createHmac } from "node:crypto";

/** The prefix Standard Webhooks secrets carry before their base64 key (`whsec_…`). */
export const WHSEC_PREFIX = "whsec_";

/**
 * The HMAC key of a Standard Webhooks secret: `whsec_<base64>` is base64-decoded (the spec's form,
 * and what GitLab's signing tokens look like); any other value is used as raw bytes. Returns
 * undefined for a `whsec_` secret whose rest is not base64 or decodes to nothing.
 * @example const key = standardWebhookKey(Buffer.from("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
 */
export function standardWebhookKey(secret: Buffer): Buffer | undefined {
  const prefix = Buffer.from(WHSEC_PREFIX);
  if (!secret.subarray(0, prefix.length).equals(prefix))
    return secret.length === 0 ? undefined : secret;
  const b64 = secret.subarray(prefix.length).toString("latin1");
  // Buffer.from(…, "base64") skips bad characters silently; check first, so a typo is a clear error.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const key = Buffer.from(b64, "base64");
  return key.length === 0 ? undefined : key;
}

/**
 * The base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`: the part after `v1,` in `webhook-signature`
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
 */
export function signStandardWebhook(
  key: Buffer,
  id: string,
  timestamp: string,
  body: Buffer | string,
): string {
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
}
