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
const NUMBERISH =
  /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$|^0[xob][0-9a-fA-F_]+$|^\d+(?::\d+)+$/;
/** Plain scalars: no leading indicator, no `: ` or ` #`, no trailing space, printable ASCII-safe. */
const PLAIN = /^[A-Za-z0-9_./(][^\n\r\t:#"'\\]*$/;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  const s = typeof value === "string" ? value : JSON.stringify(value);
  if (s !== "" && PLAIN.test(s) && !s.endsWith(" ") && !RESERVED.test(s) && !NUMBERISH.test(s))
    return s;
  return JSON.stringify(s);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
