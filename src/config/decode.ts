/**
 * A strict decoder over YAML nodes that behaves like Go's encoding/json with
 * DisallowUnknownFields, which Tekton's admission webhook uses (TEKTON-SPEC §0.8): field names match
 * exactly first, then case-insensitively; unknown fields and wrong types are errors. Every error
 * carries the file, line, column and field path of the node it is about, and decoding goes on
 * so that one load reports every error.
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { DecodeContext } from "./decode-context.js";

export { DecodeContext } from "./decode-context.js";

/** A field of a decoded mapping: its value node and its path. */
export interface Field {
  node: unknown;
  path: string;
}

/** The fields of one mapping, keyed by their declared (canonical) names. */
export class Fields {
  private readonly found = new Map<string, Field>();
  constructor(
    readonly node: unknown,
    readonly path: string,
  ) {}
  set(name: string, field: Field): void {
    this.found.set(name, field);
  }
  get(name: string): Field | undefined {
    return this.found.get(name);
  }
  has(name: string): boolean {
    return this.found.has(name);
  }
}

export function childPath(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

/**
 * Decodes a mapping whose allowed fields are `allowed`. A null node is an empty mapping (Go
 * decodes `null` into a struct as its zero value).
 */
export function decodeMap(
  raw: unknown,
  path: string,
  cx: DecodeContext,
  allowed: readonly string[],
): Fields | undefined {
  const node = cx.deref(raw);
  const fields = new Fields(node, path);
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return fields;
  if (!isMap(node)) return cx.error(node, path, `expected an object, got ${describeNode(node)}`);
  for (const pair of node.items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (key === undefined) {
      cx.error(keyNode, path, "field names must be strings");
      continue;
    }
    const name = matchField(key, allowed);
    const fieldPath = childPath(path, name ?? key);
    if (name === undefined) {
      cx.error(keyNode, fieldPath, `unknown field "${key}"`);
      continue;
    }
    if (fields.has(name)) {
      cx.error(keyNode, fieldPath, `field "${key}" is given twice`);
      continue;
    }
    fields.set(name, { node: pair.value, path: fieldPath });
  }
  return fields;
}

/**
 * A hookline entry of a TriggerTemplate's resourcetemplates (`apiVersion`, `kind`, `spec`): its
 * `spec` decoded with the keys it allows; undefined when either is not a map or `spec` is missing
 * (reported).
 */
export function decodeEntrySpec(
  el: Field,
  cx: DecodeContext,
  specKeys: readonly string[],
): { spec: Fields; specField: Field } | undefined {
  const top = decodeMap(el.node, el.path, cx, ["apiVersion", "kind", "spec"]);
  const specField = top?.get("spec");
  if (top !== undefined && specField === undefined)
    cx.error(el.node, childPath(el.path, "spec"), "missing field: spec");
  if (specField === undefined) return undefined;
  const spec = decodeMap(specField.node, specField.path, cx, specKeys);
  return spec === undefined ? undefined : { spec, specField };
}

/** Go's rule: an exact match wins, else the first case-insensitive one. */
function matchField(key: string, allowed: readonly string[]): string | undefined {
  if (allowed.includes(key)) return key;
  const lower = key.toLowerCase();
  return allowed.find((name) => name.toLowerCase() === lower);
}

export function describeNode(node: unknown): string {
  const n = node;
  if (isMap(n)) return "an object";
  if (isSeq(n)) return "a list";
  if (isScalar(n)) {
    const v = n.value;
    if (v === null) return "null";
    if (typeof v === "string") return "a string";
    if (typeof v === "number" || typeof v === "bigint") return "a number";
    if (typeof v === "boolean") return "a boolean";
  }
  return "something else";
}

function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** A string field; null or absent is `undefined`. */
export function decodeString(field: Field | undefined, cx: DecodeContext): string | undefined {
  if (field === undefined) return undefined;
  const node = cx.deref(field.node);
  if (isNull(node)) return undefined;
  if (isScalar(node) && typeof node.value === "string") return node.value;
  return cx.error(node, field.path, `expected a string, got ${describeNode(node)}`);
}

/** A list field; each element decoded by `item`, failures dropped (their errors are recorded). */
export function decodeList<T>(
  field: Field | undefined,
  cx: DecodeContext,
  item: (element: Field) => T | undefined,
): T[] {
  if (field === undefined) return [];
  const node = cx.deref(field.node);
  if (isNull(node)) return [];
  if (!isSeq(node)) {
    cx.error(node, field.path, `expected a list, got ${describeNode(node)}`);
    return [];
  }
  const out: T[] = [];
  node.items.forEach((element, i) => {
    const value = item({ node: element, path: `${field.path}[${i}]` });
    if (value !== undefined) out.push(value);
  });
  return out;
}

/** A map of strings (labels, annotations, stringData). */
export function decodeStringMap(
  field: Field | undefined,
  cx: DecodeContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (field === undefined) return out;
  const node = cx.deref(field.node);
  if (isNull(node)) return out;
  if (!isMap(node)) {
    cx.error(node, field.path, `expected an object, got ${describeNode(node)}`);
    return out;
  }
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) continue;
    const value = decodeString({ node: pair.value, path: `${field.path}[${key}]` }, cx);
    if (value !== undefined) out[key] = value;
    else if (isNull(cx.deref(pair.value))) out[key] = "";
  }
  return out;
}

/** Any JSON value (apiextensionsv1.JSON, RawExtension). */
export function decodeJSON(field: Field | undefined, cx: DecodeContext): unknown {
  if (field === undefined) return undefined;
  // A scalar is its value (what yaml's toJS gives it), without toJS's per-call context.
  const node = cx.deref(field.node);
  if (isScalar(node)) return node.value;
  return cx.toJSON(field.node, field.path);
}

/** The entries of a mapping with their own nodes, so an error can point at one entry. */
export function mapEntries(
  field: Field | undefined,
  cx: DecodeContext,
): { key: string; field: Field }[] {
  const node = cx.deref(field?.node);
  if (field === undefined || !isMap(node)) return [];
  return node.items.flatMap((pair) =>
    isScalar(pair.key)
      ? [
          {
            key: String(pair.key.value),
            field: { node: pair.value, path: `${field.path}[${String(pair.key.value)}]` },
          },
        ]
      : [],
  );
}
