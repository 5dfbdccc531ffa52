import { Duration, UnsignedInt } from "@marcbachmann/cel-js/evaluator";
import { isRecord } from "../../src/interceptors/public.js";

/** A value that JSON can hold. */
export type JSONValue =
  null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/**
 * Converts a CEL result into the JSON value Tekton writes into extensions (TEKTON-SPEC §4.5): strings,
 * bools and null as-is; int, uint and double become numbers (an int beyond 2^53 loses precision,
 * as Go's float64 does); bytes become base64; lists and maps recurse; timestamps and durations take
 * their protobuf JSON forms. Anything else (types, optionals) throws. `onValue` is called once per
 * value visited, with the value's own weight (1 plus a string's length), before descending into it:
 * it may throw to stop the walk early, which bounds a list holding the same big map many times.
 * @example toJSONValue(new Map([["a", 1n]])) // { a: 1 }
 */
export function toJSONValue(value: unknown, onValue?: (weight: number) => void): JSONValue {
  onValue?.(typeof value === "string" ? 1 + value.length : 1);
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot convert ${String(value)} to JSON`);
    return value;
  }
  if (typeof value === "bigint") return Number(value);
  if (value instanceof UnsignedInt) return Number(value.value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, "Z");
  if (value instanceof Duration) return durationJSON(value);
  if (Array.isArray(value)) return value.map((item: unknown) => toJSONValue(item, onValue));
  if (value instanceof Map) {
    const out: Record<string, JSONValue> = {};
    for (const [key, item] of value as Map<unknown, unknown>)
      put(out, String(key), toJSONValue(item, onValue));
    return out;
  }
  if (isRecord(value) && isPlainObject(value)) {
    const out: Record<string, JSONValue> = {};
    for (const [key, item] of Object.entries(value)) put(out, key, toJSONValue(item, onValue));
    return out;
  }
  throw new Error(`cannot convert a value of type ${describe(value)} to JSON`);
}

/** Defines `key` as data: `out["__proto__"] = v` would set the prototype and lose the key. */
function put(out: Record<string, JSONValue>, key: string, value: JSONValue): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** google.protobuf.Duration's JSON form: seconds with up to nine fractional digits, then "s". */
function durationJSON(d: Duration): string {
  const nanos = Math.abs(d.nanos);
  const sign = d.seconds < 0n || d.nanos < 0 ? "-" : "";
  const secs = d.seconds < 0n ? -d.seconds : d.seconds;
  const fraction = nanos === 0 ? "" : `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
  return `${sign}${secs}${fraction}s`;
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null) return value.constructor.name;
  return typeof value;
}
