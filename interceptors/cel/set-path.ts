import { isRecord } from "../../src/interceptors/public.js";
import { celLimits } from "./cel-limits.js";
import type { JSONValue } from "./to-json.js";

interface PathPart {
  key: string;
  /** `:` prefix: the part is an object key even if it looks like an index. */
  force: boolean;
}

/**
 * Sets `value` at an sjson path inside `obj` (mutated), the subset Tekton overlays use
 * (`sjson.SetRawBytes`; TEKTON-SPEC §4.5): `a.b` nests objects, `\.` escapes a dot, a numeric part
 * indexes an existing array (padding with null past its end) and `-1` appends; a missing parent is
 * created as an array when the next part is numeric or `-1`, else as an object; a scalar in the way is
 * replaced. Throws for `*`, `?` or `#` in the path and for a non-numeric key on an array.
 * @example setExtensionPath(ext, "a\\.b.c", 1) // ext is now { "a.b": { c: 1 } }
 */
export function setExtensionPath(
  obj: Record<string, JSONValue>,
  path: string,
  value: JSONValue,
): void {
  setIn(obj, parsePath(path), value);
}

/** Throws if `path` is not a valid sjson set path (used at load time to check overlay keys). */
export function parsePath(path: string): PathPart[] {
  const parts: PathPart[] = [];
  let key = "";
  let force = path.startsWith(":");
  for (let i = force ? 1 : 0; i < path.length; i++) {
    const c = path[i] ?? "";
    if (c === "\\") {
      i++;
      key += path[i] ?? "";
    } else if (c === ".") {
      parts.push({ key, force });
      key = "";
      force = path[i + 1] === ":";
      if (force) i++;
    } else if (c === "*" || c === "?") {
      throw new Error("wildcard characters not allowed in path");
    } else if (c === "#") {
      throw new Error("array access character not allowed in path");
    } else {
      key += c;
    }
  }
  parts.push({ key, force });
  return parts;
}

function indexOf(part: PathPart): number | undefined {
  if (part.force || !/^\d+$/.test(part.key)) return undefined;
  const index = Number(part.key);
  if (index > celLimits.maxListLength) throw new Error(`array index ${part.key} is too large`);
  return index;
}

function isAppend(part: PathPart): boolean {
  return !part.force && part.key === "-1";
}

function setIn(
  current: JSONValue | undefined,
  parts: readonly PathPart[],
  value: JSONValue,
): JSONValue {
  const [part, ...rest] = parts;
  if (part === undefined) return value;
  const index = indexOf(part);
  if (Array.isArray(current)) {
    if (index !== undefined && index < current.length) {
      current[index] = setIn(current[index], rest, value);
    } else if (index !== undefined) {
      while (current.length < index) current.push(null);
      current.push(build(rest, value));
    } else if (isAppend(part)) {
      current.push(build(rest, value));
    } else {
      throw new Error(`cannot set array element for non-numeric key '${part.key}'`);
    }
    return current;
  }
  if (isRecord(current)) {
    const next = Object.hasOwn(current, part.key)
      ? setIn(current[part.key], rest, value)
      : build(rest, value);
    put(current, part.key, next);
    return current;
  }
  // A scalar (or nothing) where a container is needed: sjson starts a fresh one.
  return setIn(index !== undefined ? [] : {}, parts, value);
}

/** The value for a path that does not exist yet (sjson's appendBuild). */
function build(parts: readonly PathPart[], value: JSONValue): JSONValue {
  const [part, ...rest] = parts;
  if (part === undefined) return value;
  const index = indexOf(part);
  if (index !== undefined || isAppend(part)) {
    const out: JSONValue[] = new Array<JSONValue>(index ?? 0).fill(null);
    out.push(build(rest, value));
    return out;
  }
  const out: Record<string, JSONValue> = {};
  put(out, part.key, build(rest, value));
  return out;
}

/** Assigns without invoking setters, so a key like `__proto__` is stored as data. */
function put(obj: Record<string, JSONValue>, key: string, value: JSONValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
