import type { ASTNode, ParseResult } from "@marcbachmann/cel-js";
import { ParamError, type EventBudget, type SecretRef } from "../../src/interceptors/public.js";
import { celEnvironment } from "./environment.js";
import { withBudget, type BudgetedResult } from "./budget.js";
import { compileRE2, RegexSyntaxError } from "./re2.js";
import { installRE2Matches } from "./re2-matches.js";
import { ExpressionScanError, scanExpression, type ExpressionScan } from "./scan-expression.js";

/** An expression parsed and type-checked once, at load. */
export interface CelProgram {
  readonly source: string;
  /**
   * Evaluates against an activation, synchronously (no async function is registered), under the
   * evaluation budget: throws CelBudgetError when the expression uses too many steps or too long.
   */
  readonly evaluate: (activation: Readonly<Record<string, unknown>>) => unknown;
  /**
   * The same, drawing on the event's budget as well (its limits are capped by what the event has
   * left), and with the steps used. The caller records them (and the time) in `event`.
   */
  readonly run: (
    activation: Readonly<Record<string, unknown>>,
    event: EventBudget,
  ) => BudgetedResult<unknown>;
  readonly secretRefs: readonly SecretRef[];
  /** The parsed expression, for load-time analysis (filterFacts). */
  readonly ast: ASTNode;
}

/**
 * Parses, type-checks and scans `source`, or throws a ParamError naming `field` with the zero-based
 * offset of the problem inside the expression. Messages follow Tekton's wording
 * (`failed to parse expression "<e>": …`, `expression "<e>" check failed: …`).
 *
 * The same text gives the same program: a config whose triggers share an expression (the same
 * overlay, the same event-type filter) compiles it once and holds one program. A program is
 * immutable once compiled (the RE2 override is installed on its own nodes, the same for the same
 * text), so sharing it is sharing nothing else. The cache holds its programs weakly: a reload
 * reuses the programs of the config still in force, and nothing outlives the configs using it.
 * @example compileExpression("filter", "body.action == 'opened'")
 */
export function compileExpression(field: string, source: string): CelProgram {
  const known = programs.get(source)?.deref();
  if (known !== undefined) return known;
  const program = compileNew(field, source);
  programs.set(source, new WeakRef(program));
  forgotten.register(program, source);
  return program;
}

/** Compiled programs by their text (compileExpression). */
const programs = new Map<string, WeakRef<CelProgram>>();
const forgotten = new FinalizationRegistry<string>((source) => {
  if (programs.get(source)?.deref() === undefined) programs.delete(source);
});

function compileNew(field: string, source: string): CelProgram {
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
  let scan: ExpressionScan;
  try {
    scan = scanExpression(parsed.ast);
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
  for (const call of scan.regexCalls) {
    // Literal patterns are compiled now, so that a bad one (a backreference, a lookaround) is a
    // load error; the compiled program stays in the RE2 cache and is handed to `matches` directly.
    const compiled =
      call.literal === undefined ? undefined : compileLiteral(field, source, call.literal);
    if (call.fn === "matches") installRE2Matches(call.node, compiled);
  }
  return new Program(source, parsed, scan.secretRefs);
}

/**
 * A compiled expression: methods, not a closure pair per program (a config holds thousands). The
 * parse result's own `check` (a bound function cel-js attaches to every parse) is dropped once used.
 */
class Program implements CelProgram {
  readonly ast: ASTNode;
  readonly #parsed: (activation: Readonly<Record<string, unknown>>) => unknown;
  constructor(
    readonly source: string,
    parsed: ParseResult,
    readonly secretRefs: readonly SecretRef[],
  ) {
    this.ast = parsed.ast;
    (parsed as { check?: unknown }).check = undefined;
    this.#parsed = parsed;
  }
  evaluate(activation: Readonly<Record<string, unknown>>): unknown {
    return withBudget(() => this.#parsed(activation)).value;
  }
  run(activation: Readonly<Record<string, unknown>>, event: EventBudget): BudgetedResult<unknown> {
    return withBudget(() => this.#parsed(activation), undefined, event);
  }
}

function compileLiteral(
  field: string,
  source: string,
  literal: { readonly pattern: string; readonly offset: number },
): ReturnType<typeof compileRE2> {
  try {
    return compileRE2(literal.pattern);
  } catch (error) {
    if (!(error instanceof RegexSyntaxError)) throw error;
    throw new ParamError(
      field,
      `expression ${JSON.stringify(source)} check failed: ${error.message} (RE2 syntax: no backreferences or lookarounds)`,
      literal.offset,
    );
  }
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
