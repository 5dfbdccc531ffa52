import type { ASTNode } from "@marcbachmann/cel-js";
import type { SecretRef } from "../../src/interceptors/public.js";
import { celLimits } from "./cel-limits.js";

/** What a load-time walk over an expression's AST found. */
export interface ExpressionScan {
  /** Secrets named by compareSecret calls, to fetch before each evaluation. */
  secretRefs: SecretRef[];
  /** Every `matches` and `translate` call, to compile literal patterns at load and run RE2. */
  regexCalls: RegexCall[];
}

/** A `s.matches(re)` or `s.translate(re, repl)` call found in the AST. */
export interface RegexCall {
  readonly fn: "matches" | "translate";
  /** The rcall node itself. */
  readonly node: ASTNode;
  /** The pattern when it is a string literal, with the literal's offset; undefined otherwise. */
  readonly literal: { readonly pattern: string; readonly offset: number } | undefined;
}

/** A problem found by scanExpression, with the zero-based offset of the offending call. */
export class ExpressionScanError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = "ExpressionScanError";
    this.offset = offset;
  }
}

const COMPREHENSIONS = new Set(["all", "exists", "exists_one", "map", "filter"]);

/**
 * Walks a parsed expression once, at load: collects the secrets that compareSecret names (their key
 * and secret name must be string literals, so that they can be fetched before the synchronous
 * evaluation), refuses comprehensions nested deeper than celLimits.maxComprehensionNesting, and refuses
 * `cel.bind`, which Tekton does not enable and which would let an expression double a string per level,
 * and lists the `matches`/`translate` calls (their literal patterns are compiled at load).
 * @example scanExpression(celEnvironment.parse("'x'.compareSecret('token', 'gh')").ast).secretRefs
 */
export function scanExpression(ast: ASTNode): ExpressionScan {
  const secretRefs: SecretRef[] = [];
  const regexCalls: RegexCall[] = [];
  const visit = (node: ASTNode, nesting: number): void => {
    if (node.op === "rcall") {
      const [name, receiver, args] = node.args;
      if (name === "bind" && receiver.op === "id" && receiver.args === "cel") {
        throw new ExpressionScanError(
          "cel.bind is not available (Tekton does not enable cel-go's bindings extension)",
          node.pos,
        );
      }
      if (name === "compareSecret") secretRefs.push(secretRefOf(node, args));
      if (
        (name === "matches" && args.length === 1) ||
        (name === "translate" && args.length === 2)
      ) {
        const [pattern] = args;
        regexCalls.push({
          fn: name === "matches" ? "matches" : "translate",
          node,
          literal:
            pattern?.op === "value" && typeof pattern.args === "string"
              ? { pattern: pattern.args, offset: pattern.pos }
              : undefined,
        });
      }
      const inner = COMPREHENSIONS.has(name) ? nesting + 1 : nesting;
      if (inner > celLimits.maxComprehensionNesting) {
        throw new ExpressionScanError(
          `comprehensions may be nested at most ${celLimits.maxComprehensionNesting} deep (hookline evaluation limit)`,
          node.pos,
        );
      }
      visit(receiver, nesting);
      for (const arg of args) visit(arg, inner);
      return;
    }
    for (const child of childNodes(node.args)) visit(child, nesting);
  };
  visit(ast, 0);
  return { secretRefs, regexCalls };
}

function secretRefOf(node: ASTNode, args: readonly ASTNode[]): SecretRef {
  const [key, name] = args;
  if (
    key?.op !== "value" ||
    typeof key.args !== "string" ||
    name?.op !== "value" ||
    typeof name.args !== "string"
  ) {
    throw new ExpressionScanError(
      "compareSecret needs string literals for the secret key and the secret name (secrets are fetched before evaluation)",
      node.pos,
    );
  }
  return { secretKey: key.args, secretName: name.args };
}

function* childNodes(args: unknown): Generator<ASTNode> {
  if (isASTNode(args)) {
    yield args;
  } else if (Array.isArray(args)) {
    for (const item of args as unknown[]) yield* childNodes(item);
  }
}

function isASTNode(value: unknown): value is ASTNode {
  return (
    typeof value === "object" &&
    value !== null &&
    "op" in value &&
    "args" in value &&
    "pos" in value
  );
}
