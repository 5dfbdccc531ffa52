import { createHmac } from "node:crypto";

/**
 * HMACs of an event's body, per body: every trigger of an event (and the auth-first gate before
 * them) checks the same bytes with, usually, the same secret, so each distinct (algorithm, secret)
 * is computed once per event. Keyed weakly by the body's Buffer (a raw body is never changed after
 * intake): the entries go with the event.
 */
const byBody = new WeakMap<Buffer, Map<string, Buffer>>();

/** `createHmac(algorithm, secret).update(body).digest()`, computed once per body and key. */
export function bodyHmac(algorithm: string, secret: Buffer, body: Buffer): Buffer {
  let digests = byBody.get(body);
  if (digests === undefined) {
    digests = new Map();
    byBody.set(body, digests);
  }
  const key = `${algorithm}\u0000${secret.toString("base64")}`;
  let digest = digests.get(key);
  if (digest === undefined) {
    digest = createHmac(algorithm, secret).update(body).digest();
    digests.set(key, digest);
  }
  return digest;
}
