/**
 * compareSecret needs a secret value, but secrets are fetched asynchronously and CEL functions are
 * synchronous. The interceptor therefore fetches every secret an expression names (found at load
 * by scanExpression) before evaluating, and exposes them through a lookup that is installed only for
 * the duration of one synchronous evaluation. No async function is registered in the environment,
 * so an evaluation never yields and two evaluations can never see each other's lookup.
 */
export type SecretLookup = (secretName: string, secretKey: string) => Buffer;

let current: SecretLookup | undefined;

/** Runs `evaluate` (synchronous) with `lookup` as the secret source for compareSecret. */
export function withSecretLookup<T>(lookup: SecretLookup, evaluate: () => T): T {
  const previous = current;
  current = lookup;
  try {
    return evaluate();
  } finally {
    current = previous;
  }
}

/** The value of a pre-fetched secret; throws the error compareSecret reports when it is missing. */
export function lookupSecret(secretName: string, secretKey: string): Buffer {
  if (current === undefined) {
    throw new Error(
      `failed to find secret '${secretName}' key '${secretKey}' in compareSecret: no secrets available`,
    );
  }
  return current(secretName, secretKey);
}
