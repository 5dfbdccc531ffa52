/**
 * A URL as messages show it: scheme, host, port and path, without `user:password@` or the query
 * (either may carry a token), `?…` marking a dropped query.
 * @example describeUrl("https://u:p@x.example/hook?token=s") // "https://x.example/hook?…"
 */
export function describeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "(an invalid URL)";
  }
  return `${parsed.origin}${parsed.pathname}${parsed.search === "" ? "" : "?…"}`;
}
