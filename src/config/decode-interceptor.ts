import {
  decodeJSON,
  decodeList,
  decodeMap,
  decodeString,
  type DecodeContext,
  type Field,
} from "./decode.js";
import {
  ANY,
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  jsonField,
  listOf,
  nonEmptyStringField,
  rawField,
  STRING,
  stringField,
  type DecodeEnv,
  type FieldSpec,
  type FieldTable,
} from "./decode-fields.js";
import { compileParams } from "./compile-interceptor-params.js";
import { decodeLegacyInterceptor, LEGACY, LEGACY_SCHEMAS } from "./decode-legacy-interceptor.js";
import type { InterceptorDecodeEnv } from "./interceptor-decode-env.js";
import type { InterceptorKind, InterceptorParam, TriggerInterceptor } from "./types.js";

const KINDS: readonly InterceptorKind[] = ["ClusterInterceptor", "NamespacedInterceptor"];

type Ref = (TriggerInterceptor & { kind: "ref" })["ref"];
type Webhook = (TriggerInterceptor & { kind: "webhook" })["webhook"];

export const INTERCEPTOR_REF_FIELDS: FieldTable<Ref, DecodeEnv> = [
  {
    name: "name",
    decode: nonEmptyStringField,
    required: { message: "missing field: ref.name" },
    doc: "The interceptor's name: a core one (github, cel, …), a plug-in, or an Interceptor.",
    schema: STRING,
  },
  {
    name: "kind",
    decode: (field, { cx }) => {
      const kindText = decodeString(field, cx) ?? "ClusterInterceptor";
      const kind = KINDS.find((k) => k === kindText);
      if (kind === undefined && field !== undefined)
        cx.error(
          field.node,
          field.path,
          `invalid kind "${kindText}": must be ClusterInterceptor or NamespacedInterceptor`,
        );
      return kind;
    },
    // No value only when invalid (reported here): the interceptor then fails.
    doc: "ClusterInterceptor (default) or NamespacedInterceptor.",
    schema: { enum: KINDS },
  },
  { name: "apiVersion", decode: stringField, doc: "Accepted, not used.", schema: STRING },
];

export const INTERCEPTOR_PARAM_FIELDS: FieldTable<InterceptorParam, DecodeEnv> = [
  {
    name: "name",
    decode: nonEmptyStringField,
    required: {},
    doc: "The param's name.",
    schema: STRING,
  },
  {
    name: "value",
    decode: (field, env) => jsonField(field, env) ?? null,
    doc: "Any JSON value.",
    schema: ANY,
  },
];

export const WEBHOOK_FIELDS: FieldTable<Webhook, DecodeEnv> = [
  {
    name: "header",
    decode: (field, { cx }) => decodeList(field, cx, (h) => decodeJSON(h, cx)),
    doc: "Headers to add: each a name and a value or values.",
    schema: listOf({ type: "object" }),
  },
  { name: "url", decode: stringField, doc: "Where the event is POSTed.", schema: STRING },
  {
    name: "objectRef",
    decode: (field, env) => {
      const value = jsonField(field, env);
      return value === undefined || value === null ? undefined : (value as Record<string, unknown>);
    },
    doc: "A Kubernetes Service to POST the event to (instead of url).",
    schema: { type: "object" },
  },
];

/** An interceptor as written: a ref with params, a webhook, or (v1alpha1) a legacy inline one. */
interface InterceptorFields {
  name: string;
  ref: Field;
  params: Field;
  webhook: Webhook;
  github: Field;
  gitlab: Field;
  bitbucket: Field;
  cel: Field;
}

function legacyField<K extends (typeof LEGACY)[number]>(
  name: K,
): FieldSpec<K, Field, InterceptorDecodeEnv> {
  return {
    name,
    decode: rawField, // decoded by decodeLegacyInterceptor, which needs the interceptor's place
    doc: `v1alpha1's inline ${name} interceptor (converted to ref: {name: ${name}}).`,
    schema: LEGACY_SCHEMAS[name],
    versions: ["v1alpha1"],
  };
}

export const INTERCEPTOR_FIELDS: FieldTable<InterceptorFields, InterceptorDecodeEnv> = [
  { name: "name", decode: stringField, doc: "The interceptor's name in traces.", schema: STRING },
  {
    name: "ref",
    decode: rawField, // decoded by decodeRef: its apiVersion comes after the params, as before
    doc: "The interceptor to run.",
    schema: fieldTableToJsonSchema(INTERCEPTOR_REF_FIELDS),
  },
  {
    name: "params",
    decode: rawField, // decoded with the ref: the ref's implementation compiles them
    doc: "The params of a ref'd interceptor.",
    schema: listOf(fieldTableToJsonSchema(INTERCEPTOR_PARAM_FIELDS)),
  },
  {
    name: "webhook",
    decode: (field, env) => {
      if (field === undefined) return undefined;
      const w = decodeMap(field.node, field.path, env.cx, fieldNames(WEBHOOK_FIELDS));
      const webhook = w && decodeFields(WEBHOOK_FIELDS, w, env, field.node);
      return webhook && { header: [], ...webhook };
    },
    doc: "Tekton's legacy webhook interceptor.",
    schema: fieldTableToJsonSchema(WEBHOOK_FIELDS),
  },
  legacyField("github"),
  legacyField("gitlab"),
  legacyField("bitbucket"),
  legacyField("cel"),
];

// Each interceptor and param asks for its allowed names: worked out once, not per object.
const INTERCEPTOR_FIELD_NAMES: Readonly<
  Record<InterceptorDecodeEnv["version"], readonly string[]>
> = {
  v1beta1: fieldNames(INTERCEPTOR_FIELDS, "v1beta1"),
  v1alpha1: fieldNames(INTERCEPTOR_FIELDS, "v1alpha1"),
};
const REF_FIELD_NAMES: readonly string[] = fieldNames(INTERCEPTOR_REF_FIELDS);
const PARAM_FIELD_NAMES: readonly string[] = fieldNames(INTERCEPTOR_PARAM_FIELDS);

export function decodeInterceptors(
  field: Field | undefined,
  env: InterceptorDecodeEnv,
): TriggerInterceptor[] {
  return decodeList(field, env.cx, (el) => decodeInterceptor(el, env));
}

function decodeInterceptor(el: Field, env: InterceptorDecodeEnv): TriggerInterceptor | undefined {
  const { cx } = env;
  const f = decodeMap(el.node, el.path, cx, INTERCEPTOR_FIELD_NAMES[env.version]);
  if (f === undefined) return undefined;
  const loc = cx.loc(el.node, el.path);
  const { name } = decodeFields(INTERCEPTOR_FIELDS, f, env, el.node, ["name"]) ?? {};
  const legacy = LEGACY.find((l) => f.has(l));
  const legacyField = legacy && f.get(legacy);
  if (legacy !== undefined && legacyField !== undefined)
    return decodeLegacyInterceptor(legacy, legacyField, name, el, env);

  const refField = f.get("ref");
  if (refField !== undefined) {
    const r = decodeMap(refField.node, refField.path, cx, REF_FIELD_NAMES);
    const head = r && decodeFields(INTERCEPTOR_REF_FIELDS, r, env, refField.node, ["name", "kind"]);
    if (r === undefined || head?.name === undefined || head.kind === undefined) return undefined;
    const paramsField = f.get("params");
    const params = decodeList(paramsField, cx, (p) => decodeInterceptorParam(p, cx));
    const ref: Ref = {
      name: head.name,
      kind: head.kind,
      ...decodeFields(INTERCEPTOR_REF_FIELDS, r, env, refField.node, ["apiVersion"]),
    };
    const out: TriggerInterceptor = { kind: "ref", ref, params, loc };
    if (name !== undefined) out.name = name;
    compileParams(out, paramsField, env);
    return out;
  }
  if (f.has("webhook")) {
    const { webhook } = decodeFields(INTERCEPTOR_FIELDS, f, env, el.node, ["webhook"]) ?? {};
    if (webhook === undefined) return undefined;
    const out: TriggerInterceptor = { kind: "webhook", webhook, loc };
    if (name !== undefined) out.name = name;
    return out;
  }
  return cx.error(el.node, el.path, "missing field(s): interceptor needs ref.name or webhook");
}

function decodeInterceptorParam(el: Field, cx: DecodeContext): InterceptorParam | undefined {
  const f = decodeMap(el.node, el.path, cx, PARAM_FIELD_NAMES);
  const p = f && decodeFields(INTERCEPTOR_PARAM_FIELDS, f, { cx }, el.node);
  if (p?.name === undefined) return undefined;
  return { name: p.name, value: p.value ?? null, loc: cx.loc(el.node, el.path) };
}
