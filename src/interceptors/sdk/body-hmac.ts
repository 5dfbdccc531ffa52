import { createHmac } from "node:crypto";

/** One body's digests: by the secret's Buffer first (no key to build), then by its value. */
interface BodyDigests {
  bySecret: Map<Buffer, Map<string, Buffer>>;
  byValue: Map<string, Buffer>;
}

/**
 * HMACs of an event's body, per body: every trigger of an event (and the auth-first gate before
 * them) checks the same bytes with, usually, the same secret, so each distinct (algorithm, secret)
 * is computed once per event. Keyed weakly by the body's Buffer (a raw body is never changed after
 * intake): the entries go with the event. An event's secrets are read once (createEventSecrets), so
 * the triggers hand over the same Buffer and are found by identity; equal values held in other
 * Buffers are found by value.
 */
const byBody = new WeakMap<Buffer, BodyDigests>();

/** `createHmac(algorithm, secret).update(body).digest()`, computed once per body and key. */
export function bodyHmac(algorithm: string, secret: Buffer, body: Buffer): Buffer {
  let digests = byBody.get(body);
  if (digests === undefined) {
    digests = { bySecret: new Map(), byValue: new Map() };
    byBody.set(body, digests);
  }
  let ofSecret = digests.bySecret.get(secret);
  if (ofSecret === undefined) {
    ofSecret = new Map();
    digests.bySecret.set(secret, ofSecret);
  }
  let digest = ofSecret.get(algorithm);
  if (digest === undefined) {
    const key = `${algorithm}\u0000${secret.toString("base64")}`;
    digest = digests.byValue.get(key);
    if (digest === undefined) {
      digest = createHmac(algorithm, secret).update(body).digest();
      digests.byValue.set(key, digest);
    }
    ofSecret.set(algorithm, digest);
  }
  return digest;
}
