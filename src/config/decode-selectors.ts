import { decodeList, decodeMap, decodeString, type DecodeContext, type Field } from "./decode.js";
import {
  decodeFields,
  fieldNames,
  listOf,
  STRING,
  STRING_MAP,
  stringField,
  stringListField,
  stringMapField,
  type DecodeEnv,
  type FieldTable,
} from "./decode-fields.js";
import type { LabelSelector, LabelSelectorRequirement, NamespaceSelector } from "./types.js";

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

export const REQUIREMENT_FIELDS: FieldTable<LabelSelectorRequirement, DecodeEnv> = [
  {
    name: "key",
    decode: stringField,
    required: {},
    doc: "The label key the selector applies to.",
    schema: STRING,
  },
  {
    name: "operator",
    decode: (field, { cx }) => OPERATORS.find((o) => o === decodeString(field, cx)),
    required: { message: `operator must be one of ${OPERATORS.join(", ")}`, at: "field" },
    doc: "How the key relates to the values.",
    schema: { enum: OPERATORS },
  },
  {
    name: "values",
    decode: stringListField,
    doc: "The values for In and NotIn; empty for Exists and DoesNotExist.",
    schema: listOf(STRING),
  },
];

export const LABEL_SELECTOR_FIELDS: FieldTable<LabelSelector, DecodeEnv> = [
  {
    name: "matchLabels",
    decode: stringMapField,
    doc: "Labels every selected object has, each with this value.",
    schema: STRING_MAP,
  },
  {
    name: "matchExpressions",
    decode: (field, { cx }) => decodeList(field, cx, (el) => decodeRequirement(el, cx)),
    doc: "Requirements every selected object meets.",
    schema: listOf({ type: "object" }),
  },
];

export const NAMESPACE_SELECTOR_FIELDS: FieldTable<NamespaceSelector, DecodeEnv> = [
  {
    name: "matchNames",
    decode: stringListField,
    doc: "The namespaces selected.",
    schema: listOf(STRING),
  },
];

export function decodeLabelSelector(
  field: Field | undefined,
  cx: DecodeContext,
): LabelSelector | undefined {
  if (field === undefined) return undefined;
  const f = decodeMap(field.node, field.path, cx, fieldNames(LABEL_SELECTOR_FIELDS));
  const s = f && decodeFields(LABEL_SELECTOR_FIELDS, f, { cx }, field.node);
  return s && { matchLabels: {}, matchExpressions: [], ...s };
}

function decodeRequirement(el: Field, cx: DecodeContext): LabelSelectorRequirement | undefined {
  const f = decodeMap(el.node, el.path, cx, fieldNames(REQUIREMENT_FIELDS));
  const r = f && decodeFields(REQUIREMENT_FIELDS, f, { cx }, el.node);
  if (r?.key === undefined || r.operator === undefined) return undefined;
  return { key: r.key, operator: r.operator, values: r.values ?? [] };
}

export function decodeNamespaceSelector(
  field: Field | undefined,
  cx: DecodeContext,
): NamespaceSelector | undefined {
  if (field === undefined) return undefined;
  const f = decodeMap(field.node, field.path, cx, fieldNames(NAMESPACE_SELECTOR_FIELDS));
  const s = f && decodeFields(NAMESPACE_SELECTOR_FIELDS, f, { cx }, field.node);
  return s && { matchNames: [], ...s };
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
