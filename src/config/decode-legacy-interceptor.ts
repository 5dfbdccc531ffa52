import { decodeMap, type Field } from "./decode.js";
import {
  ANY,
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  jsonField,
  type DecodeEnv,
  type FieldSpec,
  type FieldTable,
  type JsonSchema,
} from "./decode-fields.js";
import { compileParams } from "./compile-interceptor-params.js";
import type { InterceptorDecodeEnv } from "./interceptor-decode-env.js";
import type { InterceptorParam, TriggerInterceptor } from "./types.js";

export const LEGACY = ["github", "gitlab", "bitbucket", "cel"] as const;
type Legacy = (typeof LEGACY)[number];

/** A legacy field: it becomes the param of the same name, placed where the field is written. */
function paramField<K extends string>(
  name: K,
  doc: string,
): FieldSpec<K, InterceptorParam, DecodeEnv> {
  return {
    name,
    decode: (field, env) =>
      field === undefined
        ? undefined
        : { name, value: jsonField(field, env) ?? null, loc: env.cx.loc(field.node, field.path) },
    doc,
    schema: ANY,
  };
}

type ParamTable<K extends string> = FieldTable<Record<K, InterceptorParam>, DecodeEnv>;

const CEL_FIELDS: FieldTable<Record<"filter" | "overlays", InterceptorParam>, DecodeEnv> = [
  paramField("filter", "A CEL expression; the event goes on when it is true."),
  paramField("overlays", "Extensions to add: each a key and a CEL expression."),
];

const SCM_FIELDS: FieldTable<Record<"secretRef" | "eventTypes", InterceptorParam>, DecodeEnv> = [
  paramField("secretRef", "The Secret key holding the webhook secret or token."),
  paramField("eventTypes", "The event types let through."),
];

const TABLES: Readonly<Record<Legacy, ParamTable<string>>> = {
  github: SCM_FIELDS,
  gitlab: SCM_FIELDS,
  bitbucket: SCM_FIELDS,
  cel: CEL_FIELDS,
};

export const LEGACY_SCHEMAS: Readonly<Record<Legacy, JsonSchema>> = {
  github: fieldTableToJsonSchema(SCM_FIELDS),
  gitlab: fieldTableToJsonSchema(SCM_FIELDS),
  bitbucket: fieldTableToJsonSchema(SCM_FIELDS),
  cel: fieldTableToJsonSchema(CEL_FIELDS),
};

/**
 * v1alpha1's inline `github:`/`gitlab:`/`bitbucket:`/`cel:` become `ref: {name}` plus params, as
 * Tekton's defaulting webhook converts them (TEKTON-SPEC §1.6).
 */
export function decodeLegacyInterceptor(
  which: Legacy,
  field: Field,
  name: string | undefined,
  el: Field,
  env: InterceptorDecodeEnv,
): TriggerInterceptor | undefined {
  const { cx } = env;
  const table = TABLES[which];
  const f = decodeMap(field.node, field.path, cx, fieldNames(table));
  if (f === undefined) return undefined;
  const decoded = decodeFields<Record<string, InterceptorParam>, DecodeEnv>(
    table,
    f,
    env,
    field.node,
  );
  const params = Object.values(decoded ?? {}).filter((p) => p !== undefined);
  if (which === "cel" && params.length === 0) {
    return cx.error(field.node, field.path, "a cel interceptor needs a filter or overlays");
  }
  const out: TriggerInterceptor = {
    kind: "ref",
    ref: { name: which, kind: "ClusterInterceptor" },
    params,
    loc: cx.loc(el.node, el.path),
  };
  if (name !== undefined) out.name = name;
  compileParams(out, undefined, env, f);
  return out;
}
