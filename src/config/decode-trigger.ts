import { decodeList, decodeMap, decodeString, type Field } from "./decode.js";
import { decodeInterceptors, type InterceptorDecodeEnv } from "./decode-interceptor.js";
import { decodeTemplateSpec } from "./decode-template-spec.js";
import type { BindingKind, TriggerSpec, TriggerSpecBinding, TriggerSpecTemplate } from "./types.js";

const BINDING_KINDS: readonly BindingKind[] = ["TriggerBinding", "ClusterTriggerBinding"];

export const TRIGGER_SPEC_FIELDS = [
  "name",
  "bindings",
  "template",
  "interceptors",
  "serviceAccountName",
] as const;

/** The fields shared by a Trigger's spec and an EventListener's inline trigger. */
export function decodeTriggerSpecFields(
  f: { get(name: string): Field | undefined },
  env: InterceptorDecodeEnv,
): TriggerSpec {
  const { cx } = env;
  const spec: TriggerSpec = {
    bindings: decodeList(f.get("bindings"), cx, (el) => decodeBinding(el, env)),
    interceptors: decodeInterceptors(f.get("interceptors"), env),
  };
  const name = decodeString(f.get("name"), cx);
  if (name !== undefined) spec.name = name;
  const sa = decodeString(f.get("serviceAccountName"), cx);
  if (sa !== undefined && sa !== "") spec.serviceAccountName = sa;
  const templateField = f.get("template");
  if (templateField !== undefined) {
    const template = decodeTemplateRef(templateField, env);
    if (template !== undefined) spec.template = template;
  }
  return spec;
}

function decodeBinding(el: Field, env: InterceptorDecodeEnv): TriggerSpecBinding | undefined {
  const { cx } = env;
  const f = decodeMap(el.node, el.path, cx, ["ref", "kind", "apiversion", "name", "value"]);
  if (f === undefined) return undefined;
  const loc = cx.loc(el.node, el.path);
  const ref = decodeString(f.get("ref"), cx);
  const name = decodeString(f.get("name"), cx);
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

function decodeTemplateRef(
  field: Field,
  env: InterceptorDecodeEnv,
): TriggerSpecTemplate | undefined {
  const { cx } = env;
  const f = decodeMap(field.node, field.path, cx, ["ref", "apiversion", "spec"]);
  if (f === undefined) return undefined;
  const ref = decodeString(f.get("ref"), cx);
  const specField = f.get("spec");
  if (ref !== undefined && specField !== undefined) {
    return cx.error(
      field.node,
      field.path,
      `expected exactly one, got both: ${field.path}.ref, ${field.path}.spec`,
    );
  }
  const apiversion = decodeString(f.get("apiversion"), cx);
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
    const spec = decodeTemplateSpec(specField, cx);
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
