import { decodeList, decodeMap, decodeString, type Field } from "./decode.js";
import {
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  listOf,
  nonEmptyStringField,
  STRING,
  type DecodeEnv,
  type FieldTable,
} from "./decode-fields.js";
import { documentError } from "./issues.js";
import type { Param } from "./types.js";

/** A TriggerBinding param as written. */
interface ParamFields {
  name: string;
  value: string;
}

export const BINDING_PARAM_FIELDS: FieldTable<ParamFields, DecodeEnv> = [
  {
    name: "name",
    decode: nonEmptyStringField,
    required: {},
    doc: "The TriggerTemplate param this binding gives.",
    schema: STRING,
  },
  {
    name: "value",
    // Written as null (or with a type error, reported): the empty string.
    decode: (field, { cx }) => (field === undefined ? undefined : (decodeString(field, cx) ?? "")),
    required: {},
    doc: "The value, with $(body.x), $(header.y), $(extensions.z) expressions.",
    schema: STRING,
  },
];

/** A TriggerBinding's (or ClusterTriggerBinding's) spec. */
export const BINDING_SPEC_FIELDS: FieldTable<{ params: Param[] }, DecodeEnv> = [
  {
    name: "params",
    decode: (field, { cx }) =>
      field === undefined ? undefined : decodeList(field, cx, (el) => decodeParam(el, { cx })),
    required: {}, // checked by decodeBindingParams, in Tekton's words, at spec
    doc: "The params, each with a name given once.",
    schema: listOf(fieldTableToJsonSchema(BINDING_PARAM_FIELDS)),
  },
];

/** The `spec.params` of a TriggerBinding; a name given twice is an error at the second. */
export function decodeBindingParams(
  specField: Field | undefined,
  env: DecodeEnv,
): Param[] | undefined {
  const { cx } = env;
  const s = decodeMap(specField?.node, "spec", cx, fieldNames(BINDING_SPEC_FIELDS));
  if (s === undefined) return undefined;
  // The error for no params points at spec as written, and its path is spec itself.
  if (s.get("params") === undefined) {
    return cx.error(specField?.node, "spec", "invalid value: spec must not be empty");
  }
  const params = decodeFields(BINDING_SPEC_FIELDS, s, env, specField?.node)?.params ?? [];
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name))
      cx.issues.push(
        documentError(p.loc, `expected exactly one, got both: param "${p.name}" is given twice`),
      );
    seen.add(p.name);
  }
  return params;
}

function decodeParam(el: Field, env: DecodeEnv): Param | undefined {
  const { cx } = env;
  const f = decodeMap(el.node, el.path, cx, fieldNames(BINDING_PARAM_FIELDS));
  const p = f && decodeFields(BINDING_PARAM_FIELDS, f, env, el.node);
  if (f === undefined || p?.name === undefined || p.value === undefined) return undefined;
  const valueField = f.get("value");
  return {
    name: p.name,
    value: p.value,
    loc: cx.loc(el.node, el.path),
    valueLoc: cx.loc(valueField?.node ?? el.node, valueField?.path ?? el.path),
  };
}
