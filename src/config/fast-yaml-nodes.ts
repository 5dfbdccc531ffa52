import { Pair, Scalar, YAMLMap, YAMLSeq, type Node } from "yaml";
import { isStringUnderCore } from "./fast-yaml-load.js";
import { KIND_MAP, KIND_SCALAR, KIND_SEQ, type FastDocument } from "./fast-yaml-positions.js";

/**
 * yaml's own node classes (isMap, isSeq, isScalar, `items`, Pair `key`/`value`, `get`, `toJS`
 * all work on them, so the decoders do not know the difference) built from plain values, with
 * no `range`: each node knows instead its document and its place in it (its number in a walk of
 * the document in order, keys before their values), from which fast-yaml-positions.ts finds its
 * position when one is asked for. They are made without yaml's constructors, which define a
 * property per node (`Object.defineProperty`): the node type sits on the prototype instead, where
 * yaml's `isMap` & co. find it just the same. Measured on the 5,000-trigger config: ~180 ms to
 * build, where `new YAMLMap()`, `new Scalar()` & co. took ~450 ms.
 */
export const FAST_DOC = Symbol("hookline.fastYamlDocument");
export const FAST_AT = Symbol("hookline.fastYamlPlace");

export interface FastNode {
  [FAST_DOC]: FastDocument;
  [FAST_AT]: number;
}

export function isFastNode(node: unknown): node is FastNode {
  return typeof node === "object" && node !== null && FAST_DOC in node;
}

const NODE_TYPE = Symbol.for("yaml.node.type");

interface FastNodeInit {
  [FAST_DOC]: FastDocument;
  [FAST_AT]: number;
}

function FastMap(this: FastNodeInit & { items: Pair[] }, doc: FastDocument, at: number): void {
  this.items = [];
  this[FAST_DOC] = doc;
  this[FAST_AT] = at;
}
FastMap.prototype = Object.create(YAMLMap.prototype, {
  [NODE_TYPE]: { value: Symbol.for("yaml.map") },
}) as object;

function FastSeq(this: FastNodeInit & { items: unknown[] }, doc: FastDocument, at: number): void {
  this.items = [];
  this[FAST_DOC] = doc;
  this[FAST_AT] = at;
}
FastSeq.prototype = Object.create(YAMLSeq.prototype, {
  [NODE_TYPE]: { value: Symbol.for("yaml.seq") },
}) as object;

function FastScalar(
  this: FastNodeInit & { value: unknown },
  value: unknown,
  doc: FastDocument,
  at: number,
): void {
  this.value = value;
  this[FAST_DOC] = doc;
  this[FAST_AT] = at;
}
FastScalar.prototype = Object.create(Scalar.prototype, {
  [NODE_TYPE]: { value: Symbol.for("yaml.scalar") },
  // The scalar's style (PLAIN, QUOTE_DOUBLE, …), which only the slow reading knows: it is asked
  // for where an error's column is worked out inside a scalar (compile-interceptor-params.ts).
  type: {
    get(this: FastNode): string | undefined {
      return this[FAST_DOC].scalarType(this[FAST_AT]);
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, "type", { value, writable: true, enumerable: true });
    },
  },
}) as object;

/** A mapping key: its style is never asked for (yaml's toJS reads it, to spot `<<`: plain). */
function FastKey(
  this: FastNodeInit & { value: unknown },
  value: unknown,
  doc: FastDocument,
  at: number,
): void {
  this.value = value;
  this[FAST_DOC] = doc;
  this[FAST_AT] = at;
}
FastKey.prototype = Object.create(Scalar.prototype, {
  [NODE_TYPE]: { value: Symbol.for("yaml.scalar") },
}) as object;

function FastPair(this: { key: unknown; value: unknown }, key: unknown): void {
  this.key = key;
  this.value = null;
}
FastPair.prototype = Object.create(Pair.prototype, {
  [NODE_TYPE]: { value: Symbol.for("yaml.pair") },
}) as object;

const MapNode = FastMap as unknown as { new (d: FastDocument, at: number): YAMLMap };
const SeqNode = FastSeq as unknown as { new (d: FastDocument, at: number): YAMLSeq };
const ScalarNode = FastScalar as unknown as {
  new (v: unknown, d: FastDocument, at: number): Scalar;
};
const KeyNode = FastKey as unknown as { new (v: string, d: FastDocument, at: number): Scalar };
const PairNode = FastPair as unknown as { new (key: Node): Pair<Node, Node | null> };

interface Frame {
  items: unknown[];
  src: unknown;
  /** A mapping's keys; undefined for a sequence. */
  keys: string[] | undefined;
  i: number;
}

/** How many nodes are built between two pauses. */
const NODES_PER_STEP = 2048;

/**
 * Builds the nodes of one document's value, pausing every few thousand nodes. Returns
 * `undefined` when a mapping key is one that a plain-value reading cannot tell apart from what
 * yaml reads — a key that is not a string under the core schema (`1:`, `true:`, `null:`, `.inf:`,
 * a quoted "1" looks the same once read), a collection as a key (js-yaml makes `[a, b]` "a,b"
 * and a mapping "[object Object]") — and the file must be read the slow way. `kinds` gets each
 * node's kind, in order.
 */
export function* buildFastNodes(
  value: unknown,
  doc: FastDocument,
  kinds: number[],
): Generator<void, Node | null | undefined, undefined> {
  if (value === null) return null;
  const stack: Frame[] = [];
  const make = (v: unknown): Node => {
    const at = kinds.length;
    if (v === null || typeof v !== "object") {
      kinds.push(KIND_SCALAR);
      return new ScalarNode(v, doc, at);
    }
    if (Array.isArray(v)) {
      kinds.push(KIND_SEQ);
      const seq = new SeqNode(doc, at);
      stack.push({ items: seq.items, src: v, keys: undefined, i: 0 });
      return seq;
    }
    kinds.push(KIND_MAP);
    const map = new MapNode(doc, at);
    stack.push({ items: map.items, src: v, keys: Object.keys(v), i: 0 });
    return map;
  };
  const root = make(value);
  let n = 0;
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame;
    if (f.keys === undefined) {
      const src = f.src as unknown[];
      if (f.i >= src.length) stack.pop();
      else f.items.push(make(src[f.i++]));
    } else if (f.i >= f.keys.length) {
      stack.pop();
    } else {
      const k = f.keys[f.i++] as string;
      if (!isPlainStringKey(k)) return undefined;
      kinds.push(KIND_SCALAR);
      const pair = new PairNode(new KeyNode(k, doc, kinds.length - 1));
      f.items.push(pair);
      pair.value = make((f.src as Record<string, unknown>)[k]);
    }
    if (++n % NODES_PER_STEP === 0) yield;
  }
  return root;
}

function isPlainStringKey(k: string): boolean {
  return (
    isStringUnderCore(k) &&
    // What js-yaml makes of a key that is a float (.inf, .nan), a list or a mapping.
    k !== "Infinity" &&
    k !== "-Infinity" &&
    k !== "NaN" &&
    k !== "[object Object]" &&
    !k.includes(",")
  );
}
