import type { ASTNode } from "@marcbachmann/cel-js";
import type { RE2JS } from "re2js";
import { re2Matches } from "./re2.js";

/** The cel-js 8 internals this relies on: a node evaluates itself through `evaluate(ev, ast, ctx)`. */
interface EvaluableNode {
  evaluate: (ev: NodeEvaluator, ast: unknown, ctx: unknown) => unknown;
}
interface NodeEvaluator {
  run: (ast: ASTNode, ctx: unknown) => unknown;
}

/**
 * Replaces cel-js's built-in `string.matches(string)`, which runs JavaScript's backtracking RegExp,
 * with RE2 (re2js) on one call node of a checked expression. cel-js refuses to register a second
 * overload with the same signature, so the override is per node: the node's `evaluate` is replaced,
 * after type-checking, by one that evaluates the receiver and the pattern through the evaluator (so
 * the evaluation budget counts them) and matches with RE2. `compiled` is the pattern compiled at
 * load when it is a string literal.
 */
export function installRE2Matches(node: ASTNode, compiled: RE2JS | undefined): void {
  if (node.op !== "rcall") return;
  const [, receiver, args] = node.args;
  const patternNode = args[0];
  if (patternNode === undefined) return;
  (node as unknown as EvaluableNode).evaluate = (ev, _ast, ctx) => {
    const input = ev.run(receiver, ctx);
    const pattern = compiled ?? ev.run(patternNode, ctx);
    if (typeof input !== "string" || (typeof pattern !== "string" && compiled === undefined)) {
      throw new Error(
        `found no matching overload for '${celTypeName(input)}.matches(${celTypeName(pattern)})'`,
      );
    }
    return re2Matches(input, pattern as string | RE2JS);
  };
}

function celTypeName(value: unknown): string {
  if (value === null || value === undefined) return "null_type";
  if (typeof value === "bigint") return "int";
  if (typeof value === "number") return "double";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "string";
  if (value instanceof Uint8Array) return "bytes";
  if (Array.isArray(value)) return "list";
  return typeof value === "object" ? "map" : typeof value;
}
