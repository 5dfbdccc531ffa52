import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Document,
  type Node,
  type ParsedNode,
} from "yaml";
import { composeYamlDocuments } from "./compose-yaml-documents.js";
import { runAtOnce } from "./run-in-turns.js";
import type { Loc } from "./types.js";

/** What a node's place holds (fast-yaml-nodes.ts): the slow reading must have the same. */
export const KIND_SCALAR = 0;
export const KIND_MAP = 1;
export const KIND_SEQ = 2;

/**
 * Positions for the nodes of a file read the fast way (fast-yaml-nodes.ts), found only when one is
 * asked for: the first time, the file is read again the slow way (yaml, with positions), once,
 * and each fast document's nodes are matched to the slow document's, place by place (a walk in
 * order, keys before their values). A clean config never pays for it; a config with an issue pays
 * it once per file. Where the two readings disagree on a document's shape, its nodes are placed
 * at the start of the document.
 */
export class FastFile {
  private lines: LineCounter | undefined;
  readonly docs: FastDocument[] = [];
  constructor(private text: string) {}

  /**
   * Reads the file the slow way, with pauses, and gives each fast document its positions; then
   * only the line starts are kept. Does nothing the second time.
   */
  *prepare(): Generator<void, void, undefined> {
    if (this.lines !== undefined) return;
    const lines = new LineCounter();
    const slow: Document.Parsed[] = [];
    yield* composeYamlDocuments(this.text, lines, (d) => slow.push(d));
    // The two readings may count empty documents differently: then the others go in order.
    if (slow.length === this.docs.length) this.docs.forEach((d, i) => d.place(slow[i]));
    else {
      const full = slow.filter((s) => !isEmpty(s.contents));
      this.docs.filter((d) => !d.empty).forEach((d, i) => d.place(full[i]));
    }
    this.lines = lines;
    this.text = "";
  }

  /** Whether the slow reading was done. */
  get prepared(): boolean {
    return this.lines !== undefined;
  }

  linePos(offset: number): { line: number; col: number } {
    if (this.lines === undefined) runAtOnce(this.prepare());
    const { line, col } = (this.lines as LineCounter).linePos(offset);
    return line === 0 ? { line: 1, col: 1 } : { line, col };
  }
}

function isEmpty(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** One document read the fast way: its nodes' kinds in order, then their offsets and styles. */
export class FastDocument {
  private offsets: Int32Array | undefined;
  private types: (string | undefined)[] = [];
  private kinds = new Uint8Array(0);
  constructor(
    readonly file: FastFile,
    /** Filled in while the nodes are built; `seal` keeps it compact. */
    private readonly building: number[],
    readonly empty: boolean,
  ) {}

  seal(): void {
    this.kinds = Uint8Array.from(this.building);
    this.building.length = 0;
  }

  /** The line and column of node number `at`. */
  position(at: number): { line: number; col: number } {
    return this.file.linePos(this.placed().offsets[at] ?? 0);
  }

  /** The style of scalar number `at` (PLAIN, QUOTE_DOUBLE, …), as yaml reads it. */
  scalarType(at: number): string | undefined {
    return this.placed().types[at];
  }

  /** Takes the positions from the slow reading of this document (none: all at offset 0). */
  place(slow: Document.Parsed | undefined): void {
    const start = slow?.contents?.range[0] ?? slow?.range[0] ?? 0;
    const offsets = new Int32Array(this.kinds.length).fill(start);
    const types: (string | undefined)[] = [];
    if (slow !== undefined && !matchPlaces(slow.contents, this.kinds, offsets, types)) {
      offsets.fill(start);
      types.length = 0;
    }
    this.offsets = offsets;
    this.types = types;
  }

  private placed(): { offsets: Int32Array; types: (string | undefined)[] } {
    if (this.offsets === undefined) runAtOnce(this.file.prepare());
    this.offsets ??= new Int32Array(this.kinds.length);
    return { offsets: this.offsets, types: this.types };
  }
}

/**
 * Walks the slow document in the order its fast twin was built, writing each node's offset and
 * style at its place; false when the shapes differ (a place of another kind, or more or fewer).
 */
function matchPlaces(
  root: ParsedNode | null,
  kinds: Uint8Array,
  offsets: Int32Array,
  types: (string | undefined)[],
): boolean {
  if (root === null) return kinds.length === 0;
  let at = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    const kind = kinds[at];
    if (isScalar(node) && kind === KIND_SCALAR) {
      types[at] = node.type;
    } else if (isMap(node) && kind === KIND_MAP) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i];
        stack.push(pair?.value, pair?.key);
      }
    } else if (isSeq(node) && kind === KIND_SEQ) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    } else {
      return false;
    }
    offsets[at] = (node as Node).range?.[0] ?? offsets[at] ?? 0;
    at++;
  }
  return at === kinds.length;
}

/**
 * A Loc whose line and column are found when first read. Every decoded object keeps a Loc, but
 * only those of issues are ever read, so this one is a Proxy over its place: its four fields
 * look like plain ones to `{ ...loc }`, JSON and deep equality, and setting one keeps the value.
 * (Own getters would do the same, but an object with them is ~30 times slower to make: 8 µs a
 * Loc, 0.6 s of the 5,000-trigger config; a Proxy is made in about the time of a plain object.)
 */
export function fastLoc(file: string, field: string, doc: FastDocument, at: number): Loc {
  const place: Place = { file, field, doc, at, pos: undefined, set: {} };
  return new Proxy(place, LAZY_LOC) as unknown as Loc;
}

interface Place {
  file: string;
  field: string;
  doc: FastDocument;
  at: number;
  pos: { line: number; col: number } | undefined;
  /** Fields given a value (`loc.column += 2`). */
  set: Partial<Record<keyof Loc, unknown>>;
}

const PLACE = Symbol("hookline.fastYamlLocPlace");
const LOC_FIELDS: readonly string[] = ["file", "line", "column", "field"];

function field(place: Place, name: string | symbol): unknown {
  if (name === PLACE) return place;
  if (typeof name !== "string" || !LOC_FIELDS.includes(name)) return undefined;
  const key = name as keyof Loc;
  if (key in place.set) return place.set[key];
  if (key === "file" || key === "field") return place[key];
  place.pos ??= place.doc.position(place.at);
  return key === "line" ? place.pos.line : place.pos.col;
}

const LAZY_LOC: Readonly<ProxyHandler<Place>> = {
  get: (place, name) => field(place, name),
  set(place, name, value) {
    if (typeof name !== "string" || !LOC_FIELDS.includes(name)) return false;
    place.set[name as keyof Loc] = value;
    return true;
  },
  has: (_place, name) => typeof name === "string" && LOC_FIELDS.includes(name),
  ownKeys: () => [...LOC_FIELDS],
  getOwnPropertyDescriptor: (place, name) =>
    typeof name === "string" && LOC_FIELDS.includes(name)
      ? { value: field(place, name), writable: true, enumerable: true, configurable: true }
      : undefined,
  defineProperty: () => false,
  deleteProperty: () => false,
};

/** The file a Loc's position comes from, when it is still to be found. */
export function pendingLocFile(loc: Loc): FastFile | undefined {
  const place = (loc as unknown as { [PLACE]?: Place })[PLACE];
  return place === undefined || place.pos !== undefined || place.doc.file.prepared
    ? undefined
    : place.doc.file;
}

/**
 * Does the slow reading, with pauses, of every file whose positions the issues will need, so
 * that reading them later (a log line, the validate command) does not hold up the event loop.
 */
export function* preparePositions(
  issues: readonly { loc: Loc }[],
): Generator<void, void, undefined> {
  const files = new Set<FastFile>();
  for (const i of issues) {
    const f = pendingLocFile(i.loc);
    if (f !== undefined) files.add(f);
  }
  for (const f of files) yield* f.prepare();
}
