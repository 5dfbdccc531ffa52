import type { TriggerTemplateSpec } from "../config/types.js";
import type { CompiledTemplate, TemplateNode, TextPart } from "./types.js";

/** Tekton's pattern for a template param reference; names may hold `.` and `-`. */
export const TT_PARAM = /\$\(tt\.params\.([_a-zA-Z][_a-zA-Z0-9.-]*)\)/g;

/**
 * Only `$(tt.params.NAME)` and `$(uid)` are template variables (TEKTON-SPEC §0.5); everything else,
 * such as Tekton Pipelines' `$(params.x)`, is left as written.
 */
const PLACEHOLDER = new RegExp(`${TT_PARAM.source}|\\$\\(uid\\)`, "g");

export const OLD_ESCAPE_QUOTES = "triggers.tekton.dev/old-escape-quotes";

/** Compiles a TriggerTemplate once, at load, into a tree that renders without parsing. */
export function compileTemplate(
  spec: TriggerTemplateSpec,
  annotations: Readonly<Record<string, string>>,
): CompiledTemplate {
  return {
    params: spec.params,
    oldEscapeQuotes: Object.hasOwn(annotations, OLD_ESCAPE_QUOTES),
    resources: spec.resourcetemplates.map(compileNode),
  };
}

function compileNode(value: unknown): TemplateNode {
  if (typeof value === "string") {
    const parts = compileText(value);
    return parts === undefined ? { kind: "constant", value } : { kind: "text", parts };
  }
  if (Array.isArray(value)) {
    const items = value.map(compileNode);
    return items.every((i) => i.kind === "constant")
      ? { kind: "constant", value: deepFreeze(value) }
      : { kind: "list", items };
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => ({
      key: compileNode(k),
      value: compileNode(v),
    }));
    const constant = entries.every((e) => e.key.kind === "constant" && e.value.kind === "constant");
    return constant ? { kind: "constant", value: deepFreeze(value) } : { kind: "object", entries };
  }
  return { kind: "constant", value };
}

/** Splits a string at its placeholders; undefined when it holds none. */
export function compileText(text: string): TextPart[] | undefined {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ kind: "text", text: text.slice(last, m.index) });
    const name = m[1];
    parts.push(name === undefined ? { kind: "uid" } : { kind: "param", name });
    last = m.index + m[0].length;
  }
  if (parts.length === 0) return undefined;
  if (last < text.length) parts.push({ kind: "text", text: text.slice(last) });
  return parts;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
