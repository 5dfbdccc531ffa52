import { charge } from "./budget.js";
import { celLimits, limitString } from "./cel-limits.js";
import { toJSONValue, type JSONValue } from "./to-json.js";

/**
 * Tekton's `marshalJSON`: Go `json.Marshal` output for a CEL map or list. That means compact text,
 * object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped as \uXXXX, and Go's float format
 * (exponent with at least two digits, e.g. `1e-07`).
 * @example marshalJSON(new Map([["b", 1n], ["a", "<x>"]])) // '{"a":"\u003cx\u003e","b":1}'
 */
export function marshalJSON(value: unknown): string {
  let weight = 0;
  const json = toJSONValue(value, (w) => {
    weight += w;
    if (weight > celLimits.maxStringLength) limitString("", "marshalJSON", weight);
    charge(1);
  });
  return limitString(encode(json), "marshalJSON");
}

function encode(value: JSONValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return encodeNumber(value);
  if (typeof value === "string") return encodeString(value);
  if (Array.isArray(value)) return `[${value.map(encode).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${encodeString(k)}:${encode(value[k] ?? null)}`).join(",")}}`;
}

function encodeString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function encodeNumber(n: number): string {
  const text = JSON.stringify(n);
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}
