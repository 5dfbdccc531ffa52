/** Headers whose values are credentials: never stored, shown or replayed. */
const SECRET_HEADERS = new Set([
  "Authorization",
  "Proxy-Authorization",
  "Cookie",
  "Set-Cookie",
  "X-Gitlab-Token",
  "X-Api-Key",
  "X-Auth-Token",
  "X-Access-Token",
]);
/** Any other header whose name says it carries one. Signatures (HMACs) are not secrets: kept. */
const SECRET_NAME = /token|secret|password|passwd|api-?key|credential|session/i;

export const REDACTED = "[redacted]";

/** A copy of the headers with every secret-bearing value replaced by `[redacted]`. */
export function redactHeaders(
  header: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(header)) {
    out[name] =
      SECRET_HEADERS.has(name) || SECRET_NAME.test(name) ? values.map(() => REDACTED) : [...values];
  }
  return out;
}
