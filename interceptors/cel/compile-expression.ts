import type { ParseResult } from "@marcbachmann/cel-js";
import { ParamError, type SecretRef } from "../../src/interceptors/public.js";
import { celEnvironment } from "./environment.js";
import { ExpressionScanError, scanExpression } from "./scan-expression.js";

/** An expression parsed and type-checked once, at load. */
export interface CelProgram {
  readonly source: string;
  /** Evaluates against an activation; synchronous (no async function is registered). */
  readonly evaluate: (activation: Readonly<Record<string, unknown>>) => unknown;
  readonly secretRefs: readonly SecretRef[];
}

/**
 * Parses, type-checks and scans `source`, or throws a ParamError naming `field` with the zero-based
 * offset of the problem inside the expression. Messages follow Tekton's wording
 * (`failed to parse expression "<e>": …`, `expression "<e>" check failed: …`).
 * @example compileExpression("filter", "body.action == 'opened'")
 */
export function compileExpression(field: string, source: string): CelProgram {
  let parsed: ParseResult;
  try {
    parsed = celEnvironment.parse(source);
  } catch (error) {
    throw new ParamError(
      field,
      `failed to parse expression ${JSON.stringify(source)}: ${summaryOf(error)}`,
      offsetOf(error),
    );
  }
  const checked = parsed.check();
  if (!checked.valid) {
    const error: unknown = checked.error;
    throw new ParamError(
      field,
      `expression ${JSON.stringify(source)} check failed: ${summaryOf(error)}`,
      offsetOf(error),
    );
  }
  let secretRefs: readonly SecretRef[];
  try {
    secretRefs = scanExpression(parsed.ast).secretRefs;
  } catch (error) {
    if (error instanceof ExpressionScanError) {
      throw new ParamError(
        field,
        `expression ${JSON.stringify(source)} check failed: ${error.message}`,
        error.offset,
      );
    }
    throw error;
  }
  return {
    source,
    evaluate: (activation) => {
      const result: unknown = parsed(activation);
      return result;
    },
    secretRefs,
  };
}

/** The one-line message of a cel-js error (its `message` adds a source excerpt), with a leading capital lower-cased as cel-go's are. */
export function summaryOf(error: unknown): string {
  let text: string;
  if (
    typeof error === "object" &&
    error !== null &&
    "summary" in error &&
    typeof error.summary === "string"
  ) {
    text = error.summary;
  } else if (error instanceof Error) {
    text = error.message;
  } else {
    text = String(error);
  }
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function offsetOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  if ("range" in error && isRange(error.range)) return error.range.start;
  if (
    "node" in error &&
    typeof error.node === "object" &&
    error.node !== null &&
    "pos" in error.node
  ) {
    return typeof error.node.pos === "number" ? error.node.pos : undefined;
  }
  return undefined;
}

function isRange(value: unknown): value is { start: number } {
  return (
    typeof value === "object" &&
    value !== null &&
    "start" in value &&
    typeof value.start === "number"
  );
}
