import { HooklineError } from "../errors/hookline-error.js";
import { decodeStaticText } from "./decode-static-text.js";
import { evaluateResults, formatResults } from "./evaluate-expression.js";
import type { ResolvedParam, ResolveParamsInput, ResolveParamsResult } from "./types.js";

/**
 * Turns an event into TriggerTemplate params (TEKTON-SPEC §5.4, Tekton's
 * `applyEventValuesToParams`):
 *
 * 1. a param name bound twice across the trigger's bindings is an error;
 * 2. every TriggerTemplate param with a default starts with that default;
 * 3. each binding param's expressions are evaluated; when one fails and the TriggerTemplate gives
 *    this param a default, the default replaces just that `$(...)` (static text around it stays);
 *    otherwise the trigger fails with `HL_BINDING_FAILED`;
 * 4. a binding value overwrites the default. Params a template declares without a default and no
 *    binding sets are left out, so `$(tt.params.x)` stays in the output, as in Tekton.
 *
 * Static text and defaults are decoded by decodeStaticText; expression results are already
 * decoded. Expressions are evaluated in one pass over the parts, so text produced by one
 * expression is never re-read as another expression.
 */
export function resolveParams(input: ResolveParamsInput): ResolveParamsResult {
  const seen = new Set<string>();
  for (const binding of input.bindings) {
    if (seen.has(binding.name)) {
      const error = new HooklineError(
        "HL_BINDING_FAILED",
        `duplicate param name: ${binding.name}`,
        {
          param: binding.name,
        },
      );
      return { ok: false, error };
    }
    seen.add(binding.name);
  }

  const defaults = new Map<string, string>();
  const params = new Map<string, ResolvedParam>();
  for (const spec of input.templateParams ?? []) {
    if (spec.default === undefined) continue;
    defaults.set(spec.name, spec.default);
    const value = decodeStaticText(spec.default, input.oldEscapeQuotes);
    params.set(spec.name, { name: spec.name, value, source: { kind: "default" } });
  }

  for (const binding of input.bindings) {
    let value = "";
    const reasons: string[] = [];
    for (const part of binding.value.parts) {
      if (part.kind === "text") {
        value += decodeStaticText(part.text, input.oldEscapeQuotes);
        continue;
      }
      const result = evaluateResults(part.expression, input.event);
      if (result.ok) {
        const text = formatResults(result.results);
        const json = result.results.length !== 1 || typeof result.results[0] !== "string";
        // Under old-escape-quotes Tekton splices `"` as `\"` into the template's JSON, whose
        // decoding then also turns the JSON text's escapes (`\n`, `\r`) into the characters.
        value += input.oldEscapeQuotes && json ? decodeStaticText(text, true) : text;
        continue;
      }
      // Tekton falls back only when the template declares params at all and this one has a default.
      const fallback = input.templateParams === undefined ? undefined : defaults.get(binding.name);
      if (fallback === undefined) {
        const message = `failed to replace JSONPath value for param ${binding.name}: ${binding.value.source}: ${result.error}`;
        const error = new HooklineError("HL_BINDING_FAILED", message, {
          param: binding.name,
          expression: part.expression.source,
        });
        return { ok: false, error };
      }
      value += decodeStaticText(fallback, input.oldEscapeQuotes);
      reasons.push(`$(${part.expression.source}): ${result.error}`);
    }
    const expression = binding.value.source;
    const source: ResolvedParam["source"] =
      reasons.length === 0
        ? { kind: "binding", expression }
        : { kind: "binding-default", expression, reason: reasons.join("; ") };
    params.set(binding.name, { name: binding.name, value, source });
  }
  return { ok: true, params: [...params.values()] };
}
