import { REDACTED, type SecretValues } from "../core/secret-values.js";

export { REDACTED } from "../core/secret-values.js";

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

/**
 * A copy of the headers with every secret-bearing value replaced by `[redacted]`: by name (the
 * lists above, and `alsoNamed`: a listener's `hookline.dev/redact-headers`), and by value — any
 * known secret value (`values`) inside a header of any name.
 */
export function redactHeaders(
  header: Readonly<Record<string, readonly string[]>>,
  values?: SecretValues,
  alsoNamed?: ReadonlySet<string>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(header)) {
    out[name] =
      SECRET_HEADERS.has(name) || SECRET_NAME.test(name) || alsoNamed?.has(name) === true
        ? list.map(() => REDACTED)
        : list.map((v) => (values === undefined ? v : values.redact(v)));
  }
  return out;
}
