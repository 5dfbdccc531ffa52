import { UnsignedInt } from "@marcbachmann/cel-js/evaluator";
import { isRecord } from "../../src/interceptors/public.js";

/**
 * CEL's heterogeneous equality, as cel-go's sets and lists extensions use it: numbers compare by
 * value across int, uint and double (`1 == 1.0`), lists element-wise, maps key-wise, bytes by content.
 * @example celEquals(1n, 1) // true
 */
export function celEquals(a: unknown, b: unknown): boolean {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined)
    return na !== undefined && nb !== undefined && compareNumbers(na, nb) === 0;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return Buffer.from(a).equals(Buffer.from(b));
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item: unknown, i) => celEquals(item, b[i]));
  }
  const ea = entries(a);
  const eb = entries(b);
  if (ea === undefined || eb === undefined || ea.size !== eb.size) return false;
  for (const [key, value] of ea) {
    if (!eb.has(key) || !celEquals(value, eb.get(key))) return false;
  }
  return true;
}

/** A number for CEL int, uint and double values; undefined for everything else. */
export function numeric(v: unknown): number | bigint | undefined {
  if (typeof v === "number" || typeof v === "bigint") return v;
  if (v instanceof UnsignedInt) return v.value;
  return undefined;
}

/** Compares two CEL numbers exactly (a bigint beyond 2^53 is not rounded when both are bigints). */
export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function entries(v: object): Map<unknown, unknown> | undefined {
  if (v instanceof Map) return v as Map<unknown, unknown>;
  if (isRecord(v)) return new Map(Object.entries(v));
  return undefined;
}
