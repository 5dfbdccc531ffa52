import { isMap, isScalar, isSeq } from "yaml";
import { decodeList, decodeMap, childPath, type DecodeContext, type Field } from "./decode.js";
import {
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  listOf,
  nonEmptyStringField,
  STRING,
  stringField,
  type DecodeEnv,
  type FieldTable,
} from "./decode-fields.js";
import type { ParamSpec, TriggerTemplateSpec } from "./types.js";
import { TT_PARAM } from "../templates/compile-template.js";
import { isPatchEntry } from "../templates/rendered-patch.js";
import { checkPatchTemplate } from "./check-patch-template.js";
import { isHttpRequestEntry } from "../templates/rendered-http-request.js";
import { checkHttpRequestTemplate } from "./check-http-request-template.js";
import {
  checkConcurrencyAnnotations,
  type GroupedResources,
} from "./check-concurrency-annotations.js";

export const PARAM_SPEC_FIELDS: FieldTable<ParamSpec, DecodeEnv> = [
  {
    name: "name",
    decode: nonEmptyStringField,
    required: {},
    doc: "The param's name, used as $(tt.params.<name>).",
    schema: STRING,
  },
  { name: "description", decode: stringField, doc: "What the param is for.", schema: STRING },
  {
    name: "default",
    decode: stringField,
    doc: "The value when no binding gives one (and when a binding's expression fails).",
    schema: STRING,
  },
];

interface TemplateEnv extends DecodeEnv {
  /** The params `spec.params` declares: every `$(tt.params.x)` must be one of them. */
  readonly declared: ReadonlySet<string>;
}

export const TEMPLATE_SPEC_FIELDS: FieldTable<TriggerTemplateSpec, TemplateEnv> = [
  {
    name: "params",
    decode: (field, { cx }) => decodeList(field, cx, (el) => decodeParamSpec(el, cx)),
    doc: "The params the resource templates use; each is declared once.",
    schema: listOf(fieldTableToJsonSchema(PARAM_SPEC_FIELDS)),
  },
  {
    name: "resourcetemplates",
    decode: (field, { cx, declared }) => {
      const grouped: GroupedResources = { first: undefined };
      const list = decodeList(field, cx, (el) => decodeResourceTemplate(el, cx, declared, grouped));
      // Not a list: its type error was reported; an empty list (or none valid) is missing.
      return field === undefined || (isSeq(cx.deref(field.node)) && list.length === 0)
        ? undefined
        : list;
    },
    required: {
      message: "missing field: resourcetemplates must list at least one resource",
      at: "field",
      keep: true,
    },
    doc: "The resources to create, with $(tt.params.x) placeholders; at least one.",
    schema: listOf({
      type: "object",
      properties: { apiVersion: STRING, kind: STRING },
      required: ["apiVersion", "kind"],
    }),
  },
];

/** Decodes a TriggerTemplate spec (also used for a trigger's embedded `template.spec`). */
export function decodeTemplateSpec(
  field: Field,
  cx: DecodeContext,
): TriggerTemplateSpec | undefined {
  const f = decodeMap(field.node, field.path, cx, fieldNames(TEMPLATE_SPEC_FIELDS));
  if (f === undefined) return undefined;
  const { params = [] } =
    decodeFields(TEMPLATE_SPEC_FIELDS, f, { cx, declared: new Set<string>() }, field.node, [
      "params",
    ]) ?? {};
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name))
      cx.error(field.node, childPath(field.path, "params"), `param "${p.name}" is declared twice`);
    seen.add(p.name);
  }
  const { resourcetemplates = [] } =
    decodeFields(TEMPLATE_SPEC_FIELDS, f, { cx, declared: seen }, field.node, [
      "resourcetemplates",
    ]) ?? {};
  return { params, resourcetemplates, loc: cx.loc(field.node, field.path) };
}

function decodeParamSpec(el: Field, cx: DecodeContext): ParamSpec | undefined {
  const f = decodeMap(el.node, el.path, cx, fieldNames(PARAM_SPEC_FIELDS));
  const p = f && decodeFields(PARAM_SPEC_FIELDS, f, { cx }, el.node);
  return p?.name === undefined ? undefined : { ...p, name: p.name };
}

function decodeResourceTemplate(
  el: Field,
  cx: DecodeContext,
  declared: ReadonlySet<string>,
  grouped: GroupedResources,
): Record<string, unknown> | undefined {
  const node = cx.deref(el.node);
  if (!isMap(node)) return cx.error(node, el.path, "a resource template must be an object");
  const json = cx.toJSON(node, el.path);
  // Too many aliases (reported): walking its params would repeat the expansion.
  if (json === undefined) return undefined;
  const value = json as Record<string, unknown>;
  let ok = true;
  for (const key of ["apiVersion", "kind"]) {
    if (typeof value[key] !== "string" || value[key] === "") {
      cx.error(node, `${el.path}.${key}`, `missing field: ${key}`);
      ok = false;
    }
  }
  // A hookline.dev/v1alpha1 Patch entry changes an existing object: its own shape is checked.
  if (ok && isPatchEntry(value) && !checkPatchTemplate(el, cx)) ok = false;
  // A hookline.dev/v1alpha1 HTTPRequest entry calls an endpoint: its own shape is checked too.
  if (ok && isHttpRequestEntry(value) && !checkHttpRequestTemplate(el, cx)) ok = false;
  // Concurrency annotations (issue 12): only on a PipelineRun or TaskRun, values written out
  // checked now, one grouped resource per template. A problem is reported and the resource
  // kept, so that the list does not also read as empty.
  if (ok) checkConcurrencyAnnotations(el, value, cx, grouped);
  checkDeclaredParams(node, el.path, cx, declared);
  return ok ? value : undefined;
}

/** Every `$(tt.params.x)` must be declared in spec.params (Tekton's admission rule). */
function checkDeclaredParams(
  node: unknown,
  path: string,
  cx: DecodeContext,
  declared: ReadonlySet<string>,
): void {
  const n = cx.deref(node);
  if (isScalar(n)) {
    if (typeof n.value !== "string") return;
    for (const m of n.value.matchAll(TT_PARAM)) {
      const name = m[1] ?? "";
      if (!declared.has(name)) {
        cx.error(
          n,
          path,
          `undeclared param '$(tt.params.${name})': it must be declared in spec.params`,
        );
      }
    }
    return;
  }
  if (isMap(n)) {
    for (const pair of n.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      checkDeclaredParams(pair.key, path, cx, declared);
      checkDeclaredParams(pair.value, childPath(path, key), cx, declared);
    }
  } else if (isSeq(n)) {
    n.items.forEach((item, i) => checkDeclaredParams(item, `${path}[${i}]`, cx, declared));
  }
}
