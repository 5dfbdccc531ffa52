import { canonicalHeaderKey } from "../core/canonical-header.js";
import { parseJsonPath } from "./parse-json-path.js";
import type { CompiledExpression, CompiledValue, PathStep, ValuePart } from "./types.js";

/** kubectl's "relaxed" JSONPath forms: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`. */
const relaxedPath = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/**
 * Compiles a TriggerBinding param value once, at config load (TEKTON-SPEC §5.2): splits it on
 * `$(`, ends each expression at the first `)` not balanced by an earlier `(` (so
 * `$(body.a[?(@.x == 'y')].z)` works), canonicalises `header.` names the way Go does, and parses
 * each expression as a Kubernetes JSONPath. A `$(` with no `)` anywhere after it is text, as in
 * Tekton. Throws an Error naming the problem when the value has an unbalanced `$(` before a `)`
 * or an expression that does not parse.
 *
 * @example
 * compileBindingValue("$(body.head_commit.id)");
 * compileBindingValue("ref: $(header.x-github-event) on $(body.repository.links.clone[?(@.name==\"ssh\")].href)");
 */
export function compileBindingValue(value: string): CompiledValue {
  const pieces = value.split("$(");
  const parts: ValuePart[] = [];
  pushText(parts, pieces[0] ?? "");
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i] ?? "";
    const end = findClosingParen(piece);
    const rest = pieces.slice(i).join("$(");
    if (end === -1 && !rest.includes(")")) {
      // Tekton finds expressions with a pattern that needs a ")": a "$(" with none after it
      // (`x-$(body`) is no expression there, and stays text.
      pushText(parts, `$(${rest}`);
      break;
    }
    if (end === -1) {
      throw new Error(
        `unbalanced "$(" in binding value ${JSON.stringify(value)}: expression ${i} has no closing ")"`,
      );
    }
    const source = piece.slice(0, end);
    try {
      parts.push({ kind: "expression", expression: compileExpression(source) });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(
        `invalid expression "$(${source})" in binding value ${JSON.stringify(value)}: ${reason}`,
        {
          cause: err,
        },
      );
    }
    pushText(parts, piece.slice(end + 1));
  }
  return { source: value, parts };
}

function pushText(parts: ValuePart[], text: string): void {
  if (text === "") return;
  const last = parts[parts.length - 1];
  if (last?.kind === "text") parts[parts.length - 1] = { kind: "text", text: last.text + text };
  else parts.push({ kind: "text", text });
}

/** Index of the first `)` not balanced by an earlier `(`, or -1. */
function findClosingParen(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** Compiles the text inside one `$(...)`. */
export function compileExpression(source: string): CompiledExpression {
  let text = source;
  // Tekton canonicalises everything after `header.` as one header name, so `$(header.x-foo)`
  // reads `X-Foo` (TEKTON-SPEC §5.2); Go leaves names with invalid characters unchanged.
  if (text.startsWith("header."))
    text = "header." + canonicalHeaderKey(text.slice("header.".length));
  if (text === "") throw new Error("empty expression");
  const match = relaxedPath.exec(text);
  if (!match) {
    throw new Error(
      "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
    );
  }
  const fieldSpec = match[1] ?? match[2] ?? "";
  const steps = parseJsonPath(`.${fieldSpec}`);
  return { source, path: `{.${fieldSpec}}`, steps, simple: steps.every(isSimpleStep) };
}

function isSimpleStep(step: PathStep): boolean {
  if (step.kind === "field") return true;
  return (
    step.kind === "slice" && step.endDerived && step.start !== undefined && step.step === undefined
  );
}
