/**
 * JSON values as cel-js must be handed them, so that a payload object behaves as a plain map
 * whatever its keys.
 *
 * cel-js 8 decides the CEL type of a JavaScript object from its `.constructor` (`debugType` in
 * lib/operators.js, `valueTypeMatchers` in lib/registry.js): `Object`, `undefined` (a null
 * prototype) and `Map` are maps, anything else is "unsupported type". A JSON object with an own
 * key `constructor` has that key's value there, so every expression that reaches it, or a variable
 * holding it, fails. A null-prototype object does not help (the own key is still read); a `Map`
 * does, since cel-js reads Maps only through `get`, `has` and iteration. Field access, `in`,
 * `has()`, `size()` and the macros otherwise use `Object.hasOwn` and `Object.keys`, so other names
 * that Object.prototype also has (`toString`, `hasOwnProperty`, `valueOf`) are safe.
 *
 * So an object with an own `constructor` key becomes a Map, the containers around it are copied,
 * and everything else is passed on as it is: no copy at all for the usual payload. An own
 * `__proto__` key (JSON.parse defines it as data) is read through `Object.hasOwn` like any other
 * and needs nothing; it only had to be written back as data (to-json.ts).
 */
const UNSAFE_KEY = "constructor";

/** Converted roots, so that every trigger of an event shares one conversion of its body. */
const converted = new WeakMap<object, unknown>();

/**
 * `value` ready for a CEL activation: the same value when no object inside it has an own
 * `constructor` key, else a copy in which such objects are Maps (memoised per root object). `raw`, the JSON text the
 * value was parsed from, lets a payload without any of the names skip the walk: the check of the
 * bytes is a native search, far cheaper than walking the parsed value.
 * @example toCelValue(JSON.parse('{"constructor":1}')) // Map { "constructor" => 1 }
 */
export function toCelValue(value: unknown, raw?: Buffer | string): unknown {
  if (typeof value !== "object" || value === null) return value;
  // The usual body: no memo entry at all (a WeakMap entry per event costs the GC more than the check).
  if (raw !== undefined && !mayNameUnsafeKey(raw)) return value;
  if (converted.has(value)) return converted.get(value);
  const out = holdsUnsafeKey(value) ? convert(value) : value;
  converted.set(value, out);
  return out;
}

/**
 * A CEL map variable (`body`, `extensions`) from a record: toCelValue of each entry (memoised per
 * entry, so that extensions copied from interceptor to interceptor are walked once), and the record
 * itself as a Map when it has an own `constructor` key.
 */
export function toCelMap(record: Readonly<Record<string, unknown>>): unknown {
  if (isEmpty(record)) return record;
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const [key, item] of Object.entries(record)) {
    const next = toCelValue(item);
    if (next !== item) changed = true;
    entries.push([key, next]);
  }
  if (hasUnsafeOwnKey(record)) return new Map(entries);
  return changed ? Object.fromEntries(entries) : record;
}

/**
 * Headers as CEL sees them: their values are lists of strings, so only a header named
 * `constructor` matters (Go's canonical form makes it `Constructor`, but a name with an invalid
 * token character is kept as it is).
 */
export function toCelHeader(header: Readonly<Record<string, readonly string[]>>): unknown {
  return hasUnsafeOwnKey(header) ? new Map(Object.entries(header)) : header;
}

function isEmpty(record: object): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false;
  return true;
}

/**
 * Whether the JSON text may spell the unsafe key: by name (`…uctor"` ends it: the shorter needle is
 * searched faster, about 5 µs for a 7.6 KB push), or with a `\u` escape anywhere.
 */
function mayNameUnsafeKey(raw: Buffer | string): boolean {
  return raw.includes("\\u") || raw.includes('uctor"');
}

function hasUnsafeOwnKey(obj: object): boolean {
  return Object.hasOwn(obj, UNSAFE_KEY);
}

/** An iterative walk (a deeply nested payload cannot overflow the stack) that stops at the first hit. */
function holdsUnsafeKey(root: object): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) {
        if (typeof item === "object" && item !== null) stack.push(item);
      }
    } else if (value instanceof Map) {
      for (const item of (value as Map<unknown, unknown>).values()) stack.push(item);
    } else {
      if (hasUnsafeOwnKey(value)) return true;
      for (const item of Object.values(value)) {
        if (typeof item === "object" && item !== null) stack.push(item);
      }
    }
  }
  return false;
}

/**
 * The copy: objects with an own `constructor` key become Maps, containers holding a changed value
 * are copied, untouched subtrees are shared. Recursive: reached only for payloads that hold one.
 */
function convert(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      const next = convert(item);
      if (next !== item) (out ??= list.slice())[i] = next;
    }
    return out ?? value;
  }
  if (value instanceof Map) {
    let changed = false;
    const entries: [unknown, unknown][] = [];
    for (const [key, item] of value as Map<unknown, unknown>) {
      const next = convert(item);
      if (next !== item) changed = true;
      entries.push([key, next]);
    }
    return changed ? new Map(entries) : value;
  }
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const [key, item] of Object.entries(value)) {
    const next = convert(item);
    if (next !== item) changed = true;
    entries.push([key, next]);
  }
  if (hasUnsafeOwnKey(value)) return new Map(entries);
  return changed ? Object.fromEntries(entries) : value;
}
