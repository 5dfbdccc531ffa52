/**
 * A small YAML emitter for JSON data (what a rendered resource is): block style, keys in their
 * order, strings plain where YAML reads them back as the same string and double-quoted (JSON
 * escapes, which YAML's double-quoted style accepts) everywhere else. It exists because the
 * general `yaml` stringifier cost more than the rest of the request path in the bench.
 */
export function toYAML(value: unknown): string {
  const out: string[] = [];
  emitValue(value, "", out, true);
  return out.join("");
}

function emitValue(value: unknown, indent: string, out: string[], top: boolean): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return void out.push(top ? "[]\n" : " []\n");
    if (!top) out.push("\n");
    for (const item of value) {
      out.push(`${indent}-`);
      emitItem(item, `${indent}  `, out);
    }
    return;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return void out.push(top ? "{}\n" : " {}\n");
    if (!top) out.push("\n");
    for (const key of keys) {
      out.push(`${indent}${scalar(key)}:`);
      emitValue(value[key], `${indent}  `, out, false);
    }
    return;
  }
  out.push(top ? `${scalar(value)}\n` : ` ${scalar(value)}\n`);
}

/** A list item: an object's first key goes on the dash's line, as YAML writers do. */
function emitItem(item: unknown, indent: string, out: string[]): void {
  if (isObject(item) && Object.keys(item).length > 0) {
    let first = true;
    for (const key of Object.keys(item)) {
      out.push(first ? ` ${scalar(key)}:` : `${indent}${scalar(key)}:`);
      emitValue(item[key], `${indent}  `, out, false);
      first = false;
    }
    return;
  }
  if (Array.isArray(item) && item.length > 0) {
    out.push("\n");
    emitValue(item, indent, out, true);
    return;
  }
  emitValue(item, indent, out, false);
}

/** Strings YAML 1.1 or 1.2 would read as something else (null, bool, number) when left plain. */
const RESERVED =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN|<<)$/;
/**
 * Numbers in YAML 1.2 or 1.1 (the union of the `yaml` library's resolvers): 1.1's floats include
 * `.`, `._`, `e0` and `1_0.5`, its ints `1_` and `017`. Matching more than needed only quotes more.
 */
const NUMBERISH =
  /^[-+]?(?:\d[\d_]*)?(?:\.[\d_]*)?(?:[eE][-+]?\d+)?$|^[-+]?0[xob][0-9a-fA-F_]+$|^\d+(?::\d+)+$/;
/** YAML 1.1 reads a plain `2024-05-01` as a timestamp (the longer forms hold a `:`, never plain). */
const DATE = /^\d{4}-\d{1,2}-\d{1,2}$/;
/**
 * Plain scalars: no leading indicator, no `:` or `#`, no quote or backslash, and only characters
 * YAML calls printable that no reader takes for a line break: no C0/C1 controls or DEL, no
 * U+2028/U+2029 or NEL (line breaks in YAML 1.1), no BOM, no lone surrogate, no U+FFFE/U+FFFF.
 */
const PLAIN =
  // eslint-disable-next-line no-control-regex -- the control characters are what it keeps out
  /^[A-Za-z0-9_./(][^\x00-\x1f\x7f-\x9f:#"'\\\u2028\u2029\ufeff\ufffe\uffff]*$/;
/** A UTF-16 surrogate: plain only in a pair (checked apart, as a `u` regex costs ~30% here). */
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * What JSON.stringify leaves raw but a YAML double-quoted scalar must not hold raw: DEL and C1
 * controls (NEL is a line break in YAML 1.1, so a reader would fold it), U+2028/U+2029, the BOM
 * and the two non-characters. Written as `\uXXXX` escapes, which YAML reads as JSON does.
 */
const RAW_IN_QUOTES = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  const s = typeof value === "string" ? value : JSON.stringify(value);
  if (
    s !== "" &&
    PLAIN.test(s) &&
    !(SURROGATE.test(s) && LONE_SURROGATE.test(s)) &&
    !s.endsWith(" ") &&
    !RESERVED.test(s) &&
    !NUMBERISH.test(s) &&
    !DATE.test(s)
  )
    return s;
  return JSON.stringify(s).replace(
    RAW_IN_QUOTES,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
