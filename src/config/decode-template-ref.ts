import { decodeMap, type Field } from "./decode.js";
import {
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  STRING,
  stringField,
  type DecodeEnv,
  type FieldTable,
} from "./decode-fields.js";
import { decodeTemplateSpec, TEMPLATE_SPEC_FIELDS } from "./decode-template-spec.js";
import type { TriggerSpecTemplate, TriggerTemplateSpec } from "./types.js";

/** A trigger's `template` as written: a `ref`, or an embedded `spec`. */
interface TemplateRefFields {
  ref: string;
  apiversion: string;
  spec: TriggerTemplateSpec;
}

export const TEMPLATE_REF_FIELDS: FieldTable<TemplateRefFields, DecodeEnv> = [
  { name: "ref", decode: stringField, doc: "The TriggerTemplate's name.", schema: STRING },
  {
    name: "apiversion",
    decode: stringField,
    doc: "v1alpha1 or v1beta1; accepted, not used.",
    schema: { enum: ["", "v1alpha1", "v1beta1"] },
  },
  {
    name: "spec",
    decode: (field, { cx }) => (field === undefined ? undefined : decodeTemplateSpec(field, cx)),
    doc: "An embedded TriggerTemplate spec (instead of a ref).",
    schema: fieldTableToJsonSchema(TEMPLATE_SPEC_FIELDS),
  },
];

/** A trigger's `template`: exactly one of `ref` and `spec`. */
/** Worked out once: every trigger's template asks for them. */
const TEMPLATE_REF_FIELD_NAMES: readonly string[] = fieldNames(TEMPLATE_REF_FIELDS);

export function decodeTemplateRef(field: Field, env: DecodeEnv): TriggerSpecTemplate | undefined {
  const { cx } = env;
  const f = decodeMap(field.node, field.path, cx, TEMPLATE_REF_FIELD_NAMES);
  if (f === undefined) return undefined;
  const { ref } = decodeFields(TEMPLATE_REF_FIELDS, f, env, field.node, ["ref"]) ?? {};
  const specField = f.get("spec");
  if (ref !== undefined && specField !== undefined) {
    return cx.error(
      field.node,
      field.path,
      `expected exactly one, got both: ${field.path}.ref, ${field.path}.spec`,
    );
  }
  const { apiversion } =
    decodeFields(TEMPLATE_REF_FIELDS, f, env, field.node, ["apiversion"]) ?? {};
  if (
    apiversion !== undefined &&
    apiversion !== "" &&
    apiversion !== "v1alpha1" &&
    apiversion !== "v1beta1"
  ) {
    cx.error(
      f.get("apiversion")?.node,
      `${field.path}.apiversion`,
      `invalid value "${apiversion}": must be v1alpha1 or v1beta1`,
    );
  }
  if (ref !== undefined)
    return { kind: "ref", ref, loc: cx.loc(f.get("ref")?.node, `${field.path}.ref`) };
  if (specField !== undefined) {
    const { spec } = decodeFields(TEMPLATE_REF_FIELDS, f, env, field.node, ["spec"]) ?? {};
    return spec === undefined
      ? undefined
      : { kind: "inline", spec, loc: cx.loc(specField.node, specField.path) };
  }
  return cx.error(
    field.node,
    field.path,
    `expected exactly one, got neither: ${field.path}.ref, ${field.path}.spec`,
  );
}
