import { isAlias, isMap, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { ConfigIssue, Loc } from "./types.js";
import { documentError } from "./issues.js";
import { FAST_AT, FAST_DOC, isFastNode } from "./fast-yaml-nodes.js";
import { fastLoc } from "./fast-yaml-positions.js";

/**
 * One document's decoding: its file and lines, and the issues found so far. A document read the
 * fast way (load-config.ts) has no `lines`: its nodes find their positions only when asked
 * (fast-yaml-positions.ts).
 */
export class DecodeContext {
  readonly issues: ConfigIssue[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines?: LineCounter,
  ) {}

  loc(node: unknown, field: string): Loc {
    if (isFastNode(node)) return fastLoc(this.file, field, node[FAST_DOC], node[FAST_AT]);
    const offset = isNodeWithRange(node) ? node.range[0] : 0;
    const { line, col } = this.lines?.linePos(offset) ?? { line: 1, col: 1 };
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
