import { evaluateSteps, isJsonObject, sliceBounds } from "./evaluate-steps.js";
import { formatGoJson } from "./format-go-json.js";
import { goTypeName } from "./go-type-name.js";
import { JsonPathError } from "./json-path-error.js";
import type { BindingEvent, CompiledExpression, ExpressionResult, PathStep } from "./types.js";

/**
 * Evaluates one compiled `$(...)` expression against the binding event and formats the result
 * as Tekton does (TEKTON-SPEC §5.3), but decoded: hookline renders templates structurally, so a
 * string is returned as-is rather than JSON-escaped.
 *
 * - exactly one string → the string; one `null` → `null`; one number, bool, object or array →
 *   compact JSON as Go's `json.Marshal` writes it (keys sorted);
 * - zero or several results (slices, wildcards, filters, unions) → a JSON array of them, so a
 *   filter that matches nothing gives `[]`;
 * - a missing key, an index out of range or a lookup on the wrong type → `{ ok: false }` with
 *   client-go's message (`ref is not found`).
 *
 * @example
 * evaluateExpression(compileExpression("body.head_commit.id"), event); // { ok: true, value: "6dcb09b5" }
 */
export function evaluateExpression(
  expression: CompiledExpression,
  event: BindingEvent,
): ExpressionResult {
  const found = evaluateResults(expression, event);
  return found.ok ? { ok: true, value: formatResults(found.results) } : found;
}

/** client-go's result list of an expression, before formatting (or its error). */
export function evaluateResults(
  expression: CompiledExpression,
  event: BindingEvent,
): { ok: true; results: readonly unknown[] } | { ok: false; error: string } {
  try {
    const results = expression.simple
      ? evaluateSimple(expression.steps, event)
      : evaluateSteps(expression.steps, [event]);
    return { ok: true, results };
  } catch (err) {
    if (err instanceof JsonPathError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Formats client-go's result list the way Tekton's `getResults` does, without string escaping. */
export function formatResults(results: readonly unknown[]): string {
  if (results.length === 1) {
    const only = results[0];
    return typeof only === "string" ? only : formatGoJson(only);
  }
  return formatGoJson(results);
}

/**
 * The common case (`body.head_commit.id`, `body.commits[0].id`): fields and single indexes
 * followed on one value, with the same errors as the general evaluator.
 */
function evaluateSimple(steps: readonly PathStep[], root: unknown): unknown[] {
  let current: unknown = root;
  for (const step of steps) {
    if (step.kind === "field") {
      if (!isJsonObject(current) || !Object.hasOwn(current, step.name)) {
        throw new JsonPathError(`${step.name} is not found`);
      }
      current = current[step.name];
    } else if (step.kind === "slice") {
      // client-go skips null for indexes: no result, and no error from the steps after it.
      if (current === null) return [];
      if (!Array.isArray(current))
        throw new JsonPathError(`${goTypeName(current)} is not array or slice`);
      const [start, end] = sliceBounds(step, current.length);
      if (end === start) return [];
      current = current[start];
    } else {
      return evaluateSteps(steps, [root]); // not reached: compileExpression marks these not simple
    }
  }
  return [current];
}
