import { REDACTED, type SecretValues } from "../core/secret-values.js";

/**
 * The request URL (path and query) as the journal keeps it. By default every query value is
 * `[redacted]` (the names are kept: `?token=[redacted]&ref=[redacted]`), since a query string is
 * where generic senders put their shared token; a parameter without `=` is redacted whole. With
 * `keepQuery` (the listener's `hookline.dev/keep-query: "true"`) the query is kept, except any
 * value that holds a known secret, as sent or percent-decoded. Known secret values are redacted
 * from the path too.
 * @example redactURL("/hook?token=abc&x=", undefined, false) // "/hook?token=[redacted]&x="
 */
export function redactURL(
  url: string,
  values: SecretValues | undefined,
  keepQuery: boolean,
): string {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const safePath = values === undefined ? path : values.redact(path);
  if (q < 0) return safePath;
  const query = url
    .slice(q + 1)
    .split("&")
    .map((part) => redactParam(part, values, keepQuery))
    .join("&");
  return `${safePath}?${query}`;
}

function redactParam(part: string, values: SecretValues | undefined, keepQuery: boolean): string {
  if (part === "") return part;
  const eq = part.indexOf("=");
  if (eq < 0) return keepQuery && !holdsSecret(part, values) ? part : REDACTED;
  const name = part.slice(0, eq);
  const value = part.slice(eq + 1);
  const safeName = holdsSecret(name, values) ? REDACTED : name;
  if (value === "") return `${safeName}=`;
  return `${safeName}=${keepQuery && !holdsSecret(value, values) ? value : REDACTED}`;
}

function holdsSecret(text: string, values: SecretValues | undefined): boolean {
  if (values === undefined) return false;
  return values.holdsSecret(text) || values.holdsSecret(decode(text));
}

/** Percent-decoding as a form would (`+` is a space); malformed escapes are left as they are. */
function decode(text: string): string {
  const spaced = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A malformed escape (`%zz`): compare the text as sent.
    return spaced;
  }
}
