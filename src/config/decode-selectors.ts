import {
  decodeList,
  decodeMap,
  decodeString,
  decodeStringMap,
  type DecodeContext,
  type Field,
} from "./decode.js";
import type { LabelSelector, LabelSelectorRequirement, NamespaceSelector } from "./types.js";

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

export function decodeLabelSelector(
  field: Field | undefined,
  cx: DecodeContext,
): LabelSelector | undefined {
  if (field === undefined) return undefined;
  const f = decodeMap(field.node, field.path, cx, ["matchLabels", "matchExpressions"]);
  if (f === undefined) return undefined;
  return {
    matchLabels: decodeStringMap(f.get("matchLabels"), cx),
    matchExpressions: decodeList(f.get("matchExpressions"), cx, (el) => decodeRequirement(el, cx)),
  };
}

function decodeRequirement(el: Field, cx: DecodeContext): LabelSelectorRequirement | undefined {
  const f = decodeMap(el.node, el.path, cx, ["key", "operator", "values"]);
  if (f === undefined) return undefined;
  const key = decodeString(f.get("key"), cx);
  const operator = decodeString(f.get("operator"), cx);
  if (key === undefined) return cx.error(el.node, `${el.path}.key`, "missing field: key");
  const op = OPERATORS.find((o) => o === operator);
  if (op === undefined) {
    return cx.error(
      f.get("operator")?.node ?? el.node,
      `${el.path}.operator`,
      `operator must be one of ${OPERATORS.join(", ")}`,
    );
  }
  const values = decodeList(f.get("values"), cx, (v) => decodeString(v, cx));
  return { key, operator: op, values };
}

export function decodeNamespaceSelector(
  field: Field | undefined,
  cx: DecodeContext,
): NamespaceSelector | undefined {
  if (field === undefined) return undefined;
  const f = decodeMap(field.node, field.path, cx, ["matchNames"]);
  if (f === undefined) return undefined;
  return { matchNames: decodeList(f.get("matchNames"), cx, (v) => decodeString(v, cx)) };
}

/** Kubernetes label-selector semantics: every matchLabel and every expression must hold. */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Record<string, string>,
): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions) {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    switch (req.operator) {
      case "In":
        if (!has || value === undefined || !req.values.includes(value)) return false;
        break;
      case "NotIn":
        if (has && value !== undefined && req.values.includes(value)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}
