import type { Header } from "./incoming-event.js";

const cache = new Map<string, string>();

/**
 * Go's textproto.CanonicalMIMEHeaderKey: the first letter and every letter after "-" upper-cased,
 * the rest lower-cased (`x-github-event` → `X-Github-Event`). Tekton hands headers to interceptors,
 * CEL and bindings in this form (TEKTON-SPEC §0.2). A name with a space or other invalid token
 * character is returned unchanged, as Go does.
 */
export function canonicalHeaderKey(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let out = "";
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const valid =
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      "!#$%&'*+-.^_`|~".includes(name[i] ?? "");
    if (!valid) return remember(name, name);
    let ch = name[i] ?? "";
    if (upper && c >= 97 && c <= 122) ch = String.fromCharCode(c - 32);
    else if (!upper && c >= 65 && c <= 90) ch = String.fromCharCode(c + 32);
    out += ch;
    upper = c === 45; // "-"
  }
  return remember(name, out);
}

function remember(name: string, canonical: string): string {
  if (cache.size < 4096) cache.set(name, canonical);
  return canonical;
}

/** Builds Tekton's header map from Node's raw header list; `Host` is left out, as Go does. */
export function canonicalHeaders(rawHeaders: readonly string[]): Header {
  const header: Header = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = canonicalHeaderKey(rawHeaders[i] ?? "");
    if (key === "Host") continue;
    const value = rawHeaders[i + 1] ?? "";
    // Own keys only, and defined as data: a header named `__proto__` is a header like any other.
    const list = Object.hasOwn(header, key) ? header[key] : undefined;
    if (list === undefined) {
      Object.defineProperty(header, key, {
        value: [value],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else list.push(value);
  }
  return header;
}

/** The first value of a header, looked up case-insensitively (Go's http.Header.Get). */
export function firstHeader(
  header: Readonly<Record<string, readonly string[]>>,
  name: string,
): string | undefined {
  const key = canonicalHeaderKey(name);
  return Object.hasOwn(header, key) ? header[key]?.[0] : undefined;
}
