/**
 * Decodes static binding text (the literal parts of a value, and TriggerTemplate defaults) the way
 * it ends up in Tekton. Tekton splices that text verbatim into the JSON of the resource template,
 * so JSON string escapes in it take effect there: `\"` becomes `"`, `\n` a newline, `\\` one
 * backslash. hookline renders structurally, so it decodes the text here instead:
 *
 * - with `oldEscapeQuotes` (the `triggers.tekton.dev/old-escape-quotes` annotation), every `"` is
 *   first replaced by `\"`, as Tekton does;
 * - the text is then decoded as the body of a JSON string when that is valid (raw control
 *   characters such as a newline from a YAML block are tolerated and kept);
 * - text that is not valid JSON string content (say `C:\dir`, or a bare `"`) is kept literally.
 *   Tekton would have produced invalid JSON and failed to create the resource.
 */
export function decodeStaticText(text: string, oldEscapeQuotes: boolean): string {
  // Without a backslash, decoding changes nothing: text with a bare `"` is invalid (kept as is),
  // and with oldEscapeQuotes each `"` becomes `\"` and decodes back to `"`.
  if (!text.includes("\\")) return text;
  const escaped = oldEscapeQuotes ? text.replaceAll('"', '\\"') : text;
  const body = escaped.replace(
    /\p{Cc}/gu,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
  try {
    const decoded: unknown = JSON.parse(`"${body}"`);
    return typeof decoded === "string" ? decoded : text;
  } catch {
    return text; // not valid JSON string content: Tekton would fail; keep the text as written
  }
}
