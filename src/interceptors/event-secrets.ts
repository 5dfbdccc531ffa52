import type { SecretRef, SecretResolver } from "./types.js";

/**
 * The secrets of one event: every trigger and trigger group of an event (and the auth-first gate
 * before them) names, usually, the same few secrets, so each distinct (namespace, name, key) is
 * asked of `resolver` once per event — a file read, a cluster call or a map lookup and the
 * redaction list's upkeep — and the answer (a value or the failure) is shared. Made per event and
 * dropped with it, so a rotated secret is seen by the next event.
 */
export function createEventSecrets(resolver: SecretResolver): SecretResolver {
  const asked = new Map<string, Promise<Buffer>>();
  return {
    get(ref: SecretRef, namespace: string): Promise<Buffer> {
      const key = `${namespace}\u0000${ref.secretName}\u0000${ref.secretKey}`;
      let value = asked.get(key);
      if (value === undefined) {
        value = resolver.get(ref, namespace);
        asked.set(key, value);
      }
      return value;
    },
  };
}
