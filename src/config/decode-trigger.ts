import { decodeList, decodeMap, decodeString, type Field, type Fields } from "./decode.js";
import {
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  listOf,
  nonEmptyStringField,
  STRING,
  stringField,
  type FieldTable,
} from "./decode-fields.js";
import { decodeInterceptors, INTERCEPTOR_FIELDS } from "./decode-interceptor.js";
import type { InterceptorDecodeEnv } from "./interceptor-decode-env.js";
import { decodeTemplateRef, TEMPLATE_REF_FIELDS } from "./decode-template-ref.js";
import type { BindingKind, TriggerSpec, TriggerSpecBinding } from "./types.js";

const BINDING_KINDS: readonly BindingKind[] = ["TriggerBinding", "ClusterTriggerBinding"];

/** A binding as written: a ref to a (Cluster)TriggerBinding, or an inline `name`/`value`. */
interface BindingFields {
  ref: string;
  kind: string;
  name: string;
  value: string;
}

export const BINDING_FIELDS: FieldTable<BindingFields, InterceptorDecodeEnv> = [
  { name: "ref", decode: stringField, doc: "The TriggerBinding's name.", schema: STRING },
  {
    name: "kind",
    decode: stringField,
    doc: "TriggerBinding (default) or ClusterTriggerBinding.",
    schema: { enum: BINDING_KINDS },
  },
  { name: "apiversion", ignored: true, doc: "Accepted and ignored." },
  { name: "name", decode: stringField, doc: "An inline binding's param name.", schema: STRING },
  {
    name: "value",
    decode: stringField,
    doc: "An inline binding's value, with $(body.x) expressions.",
    schema: STRING,
  },
];

/** A Trigger's spec; an EventListener's inline trigger has these fields too. */
export const TRIGGER_SPEC_TABLE: FieldTable<TriggerSpec, InterceptorDecodeEnv> = [
  {
    name: "bindings",
    decode: (field, env) => decodeList(field, env.cx, (el) => decodeBinding(el, env)),
    doc: "The bindings that give the template's params, in order.",
    schema: listOf(fieldTableToJsonSchema(BINDING_FIELDS)),
  },
  {
    name: "interceptors",
    decode: (field, env) => decodeInterceptors(field, env),
    doc: "The interceptors the event goes through first, in order.",
    schema: listOf(fieldTableToJsonSchema(INTERCEPTOR_FIELDS)),
  },
  { name: "name", decode: stringField, doc: "The trigger's name.", schema: STRING },
  {
    name: "serviceAccountName",
    decode: nonEmptyStringField,
    doc: "The service account the resources are created as.",
    schema: STRING,
  },
  {
    name: "template",
    decode: (field, env) => (field === undefined ? undefined : decodeTemplateRef(field, env)),
    doc: "The TriggerTemplate: a `ref` to one, or an embedded `spec`.",
    schema: fieldTableToJsonSchema(TEMPLATE_REF_FIELDS),
  },
];

export const TRIGGER_SPEC_FIELDS = fieldNames(TRIGGER_SPEC_TABLE);

/** The fields shared by a Trigger's spec and an EventListener's inline trigger. */
export function decodeTriggerSpecFields(
  f: Fields,
  env: InterceptorDecodeEnv,
  node: unknown,
): TriggerSpec {
  return { bindings: [], interceptors: [], ...decodeFields(TRIGGER_SPEC_TABLE, f, env, node) };
}

/** Worked out once: every binding asks for them. */
const BINDING_FIELD_NAMES: readonly string[] = fieldNames(BINDING_FIELDS);

function decodeBinding(el: Field, env: InterceptorDecodeEnv): TriggerSpecBinding | undefined {
  const { cx } = env;
  const f = decodeMap(el.node, el.path, cx, BINDING_FIELD_NAMES);
  if (f === undefined) return undefined;
  const loc = cx.loc(el.node, el.path);
  const { ref, name } = decodeFields(BINDING_FIELDS, f, env, el.node, ["ref", "name"]) ?? {};
  if (ref !== undefined && name !== undefined) {
    return cx.error(
      el.node,
      el.path,
      `expected exactly one, got both: ${el.path}.ref, ${el.path}.name`,
    );
  }
  if (ref !== undefined) {
    const kindText = decodeString(f.get("kind"), cx) ?? "TriggerBinding";
    const bindingKind = BINDING_KINDS.find((k) => k === kindText);
    if (bindingKind === undefined) {
      return cx.error(
        f.get("kind")?.node,
        `${el.path}.kind`,
        `invalid value: invalid kind "${kindText}": must be TriggerBinding or ClusterTriggerBinding`,
      );
    }
    return { kind: "ref", ref, bindingKind, loc: cx.loc(f.get("ref")?.node, `${el.path}.ref`) };
  }
  if (name !== undefined) {
    const valueField = f.get("value");
    const value = decodeString(valueField, cx);
    if (valueField === undefined)
      return cx.error(
        el.node,
        `${el.path}.value`,
        `missing field: value (an inline binding "${name}" needs a value)`,
      );
    const valueLoc = cx.loc(valueField.node, valueField.path);
    return { kind: "inline", name, value: value ?? "", loc, valueLoc };
  }
  return cx.error(
    el.node,
    el.path,
    `expected exactly one, got neither: ${el.path}.ref, ${el.path}.name`,
  );
}
