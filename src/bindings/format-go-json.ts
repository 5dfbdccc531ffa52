/**
 * Compact JSON text as Go's `json.Marshal` writes a value decoded into `interface{}`
 * (TEKTON-SPEC §5.1, §5.3): object keys sorted, numbers in Go's float64 form (which matches
 * JavaScript's shortest form: `1`, `1.5`, `1e+21`, `1e-7`; only `-0` differs), and Go's HTML-safe
 * string escaping (`<` `>` `&` U+2028 U+2029 as `\u003c` and so on).
 */
export function formatGoJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return formatGoString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "null"; // cannot come from JSON; Go would fail instead
    return Object.is(value, -0) ? "-0" : String(value);
  }
  if (Array.isArray(value)) return formatArray(value);
  if (typeof value === "object") return formatObject(value as Record<string, unknown>);
  return "null"; // functions, symbols and bigints cannot come from JSON
}

function formatArray(values: readonly unknown[]): string {
  let out = "[";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    out += formatGoJson(values[i]);
  }
  return out + "]";
}

function formatObject(object: Record<string, unknown>): string {
  // Go sorts map keys by their UTF-8 bytes; for keys without astral characters that is the
  // UTF-16 order that sort() uses.
  const keys = Object.keys(object).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? "";
    if (i > 0) out += ",";
    out += formatGoString(key) + ":" + formatGoJson(object[key]);
  }
  return out + "}";
}

const hasHtmlUnsafe = /[<>&\u2028\u2029]/;
const htmlUnsafe = /[<>&\u2028\u2029]/g;

function formatGoString(text: string): string {
  const json = JSON.stringify(text);
  if (!hasHtmlUnsafe.test(json)) return json;
  return json.replace(htmlUnsafe, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
