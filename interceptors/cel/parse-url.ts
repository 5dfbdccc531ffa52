/** What Tekton's `parseURL` returns (TEKTON-SPEC §4.5). */
export interface ParsedURL {
  scheme: string;
  host: string;
  path: string;
  rawQuery: string;
  fragment: string;
  queryStrings: Record<string, string[]>;
  query: Record<string, string>;
  auth?: { username: string; password: string };
}

// RFC 3986 appendix B, which is also how Go's url.Parse splits a reference (no normalisation).
const URL_PARTS =
  /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

/**
 * Tekton's `string.parseURL()`, following Go's `url.Parse` rather than WHATWG URL: nothing is
 * normalised (no default-port removal, no `..` resolution), the path and fragment are
 * percent-decoded, `auth` appears only when the URL has userinfo.
 * @example parseURL("https://u:p@example.com/a?x=1&x=2#f").query // { x: "1,2" }
 */
export function parseURL(input: string): ParsedURL {
  const m = URL_PARTS.exec(input);
  if (m === null || hasControlOrSpace(input, m[2] ?? "")) {
    throw new Error(
      `failed to parse url '${input}': invalid control character in URL or space in host`,
    );
  }
  const [, scheme = "", authority, rawPath = "", rawQuery = "", rawFragment = ""] = m;
  let host = "";
  let auth: ParsedURL["auth"];
  if (authority !== undefined) {
    const at = authority.lastIndexOf("@");
    host = authority.slice(at + 1);
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(":");
      auth = {
        username: decode(colon < 0 ? userinfo : userinfo.slice(0, colon), input),
        password: colon < 0 ? "" : decode(userinfo.slice(colon + 1), input),
      };
    }
  }
  const queryStrings = parseQuery(rawQuery);
  // fromEntries defines the keys, so that `?__proto__=x` is a key, not a prototype assignment.
  const query: Record<string, string> = Object.fromEntries(
    Object.entries(queryStrings).map(([key, values]) => [key, values.join(",")]),
  );
  const out: ParsedURL = {
    scheme: scheme.toLowerCase(),
    host,
    path: decode(rawPath, input),
    rawQuery,
    fragment: decode(rawFragment, input),
    queryStrings,
    query,
  };
  if (auth !== undefined) out.auth = auth;
  return out;
}

/** Go's url.Parse refuses ASCII control characters anywhere, and a space in the host. */
function hasControlOrSpace(s: string, host: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return host.includes(" ");
}

function decode(s: string, input: string): string {
  try {
    return decodeURIComponent(s);
  } catch (cause) {
    throw new Error(`failed to parse url '${input}': invalid URL escape`, { cause });
  }
}

/** Go's url.ParseQuery as used by URL.Query(): pairs that fail to decode (or contain ";") are dropped. */
function parseQuery(rawQuery: string): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const pair of rawQuery.split("&")) {
    if (pair === "" || pair.includes(";")) continue;
    const eq = pair.indexOf("=");
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, " "));
      value = decodeURIComponent(rawValue.replace(/\+/g, " "));
    } catch {
      continue; // Go's Query() ignores the decode error and skips the pair
    }
    (out[key] ??= []).push(value);
  }
  return { ...out };
}
