/**
 * A strict decoder over YAML nodes that behaves like Go's encoding/json with
 * DisallowUnknownFields, which Tekton's admission webhook uses (TEKTON-SPEC §0.8): field names match
 * exactly first, then case-insensitively; unknown fields and wrong types are errors. Every error
 * carries the file, line, column and field path of the node it is about, and decoding goes on
 * so that one load reports every error.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { ConfigIssue, Loc } from "./types.js";
import { documentError } from "./issues.js";

export class DecodeContext {
  readonly issues: ConfigIssue[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  loc(node: unknown, field: string): Loc {
    const offset = isNodeWithRange(node) ? node.range[0] : 0;
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col, field };
  }

  error(node: unknown, field: string, message: string): undefined {
    this.issues.push(documentError(this.loc(node, field), message));
    return undefined;
  }

  /** Follows a YAML alias (`*anchor`) to the node it names. */
  deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /**
   * The node as plain JSON, or `undefined` (with a document error at `path`) when its aliases
   * expand past yaml's limit: a "billion laughs" document must be a config error naming its place,
   * not an uncaught ReferenceError from inside the yaml library.
   */
  toJSON(node: unknown, path: string): unknown {
    const n = this.deref(node);
    if (n === null || n === undefined) return null;
    try {
      return (n as Node).toJS(this.doc, { maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    } catch (err) {
      if (!(err instanceof ReferenceError)) throw err;
      return this.error(
        firstAlias(n) ?? n,
        path,
        `too many YAML aliases: expanding them would exceed ${MAX_ALIAS_COUNT} copies; write the values out instead of repeating anchors`,
      );
    }
  }
}

/** yaml's own default; named here so the message can say it. */
const MAX_ALIAS_COUNT = 100;

/** The first alias (`*name`) inside a node, without following aliases: where a bomb starts. */
function firstAlias(node: unknown): unknown {
  if (isAlias(node)) return node;
  const children: unknown[] = isMap(node)
    ? node.items.flatMap((p) => [p.key, p.value])
    : isSeq(node)
      ? node.items
      : [];
  for (const child of children) {
    const found = firstAlias(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function isNodeWithRange(node: unknown): node is { range: [number, number, number] } {
  return (
    typeof node === "object" && node !== null && Array.isArray((node as { range?: unknown }).range)
  );
}

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
