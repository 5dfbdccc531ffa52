import { decodeList, decodeMap, decodeString, decodeJSON, type Field } from "./decode.js";
import { decodeInterceptors, type InterceptorDecodeEnv } from "./decode-interceptor.js";
import { decodeLabelSelector, decodeNamespaceSelector } from "./decode-selectors.js";
import { decodeTriggerSpecFields, TRIGGER_SPEC_FIELDS } from "./decode-trigger.js";
import type { EventListener, EventListenerTrigger, TriggerGroup } from "./types.js";

type Spec = EventListener["spec"];

export function decodeEventListenerSpec(
  field: Field | undefined,
  env: InterceptorDecodeEnv,
  docNode: unknown,
): Spec | undefined {
  const { cx } = env;
  const v1beta1 = env.version === "v1beta1";
  const allowed = [
    "serviceAccountName",
    "triggers",
    "namespaceSelector",
    "labelSelector",
    "resources",
    ...(v1beta1 ? ["triggerGroups", "cloudEventURI"] : []),
  ];
  const f = decodeMap(field?.node, "spec", cx, allowed);
  if (f === undefined) return undefined;
  const spec: Spec = {
    triggers: decodeList(f.get("triggers"), cx, (el) => decodeListenerTrigger(el, env)),
    triggerGroups: decodeList(f.get("triggerGroups"), cx, (el) => decodeTriggerGroup(el, env)),
  };
  const sa = decodeString(f.get("serviceAccountName"), cx);
  if (sa !== undefined) spec.serviceAccountName = sa;
  const ns = decodeNamespaceSelector(f.get("namespaceSelector"), cx);
  if (ns !== undefined) spec.namespaceSelector = ns;
  const ls = decodeLabelSelector(f.get("labelSelector"), cx);
  if (ls !== undefined) spec.labelSelector = ls;
  const resources = decodeJSON(f.get("resources"), cx);
  if (resources !== undefined) spec.resources = resources;
  const ce = decodeString(f.get("cloudEventURI"), cx);
  if (ce !== undefined) spec.cloudEventURI = ce;
  if (!["labelSelector", "namespaceSelector", "triggerGroups", "triggers"].some((k) => f.has(k))) {
    cx.error(
      field?.node ?? docNode,
      "spec",
      "expected exactly one, got neither: spec.labelSelector, spec.namespaceSelector, spec.triggerGroups, spec.triggers",
    );
  }
  return spec;
}

function decodeListenerTrigger(
  el: Field,
  env: InterceptorDecodeEnv,
): EventListenerTrigger | undefined {
  const { cx } = env;
  const f = decodeMap(el.node, el.path, cx, [...TRIGGER_SPEC_FIELDS, "triggerRef"]);
  if (f === undefined) return undefined;
  const trigger: EventListenerTrigger = {
    ...decodeTriggerSpecFields(f, env),
    loc: cx.loc(el.node, el.path),
  };
  const refField = f.get("triggerRef");
  const triggerRef = decodeString(refField, cx);
  if (triggerRef !== undefined && triggerRef !== "") {
    trigger.triggerRef = { name: triggerRef, loc: cx.loc(refField?.node, `${el.path}.triggerRef`) };
    for (const other of ["template", "bindings", "interceptors"]) {
      if (f.has(other))
        cx.error(
          f.get(other)?.node,
          `${el.path}.${other}`,
          `expected exactly one, got both: ${el.path}.triggerRef, ${el.path}.${other}`,
        );
    }
  } else if (!f.has("template")) {
    cx.error(
      el.node,
      el.path,
      `expected exactly one, got neither: ${el.path}.template, ${el.path}.triggerRef`,
    );
  }
  return trigger;
}

function decodeTriggerGroup(el: Field, env: InterceptorDecodeEnv): TriggerGroup | undefined {
  const { cx } = env;
  const f = decodeMap(el.node, el.path, cx, ["name", "interceptors", "triggerSelector"]);
  if (f === undefined) return undefined;
  const name = decodeString(f.get("name"), cx) ?? "";
  const interceptors = decodeInterceptors(f.get("interceptors"), env);
  if (interceptors.length === 0 && f.get("interceptors") === undefined) {
    cx.error(
      el.node,
      `${el.path}.interceptors`,
      "missing field: a trigger group needs interceptors",
    );
  }
  const selField = f.get("triggerSelector");
  const s = decodeMap(selField?.node, `${el.path}.triggerSelector`, cx, [
    "namespaceSelector",
    "labelSelector",
  ]);
  const triggerSelector: TriggerGroup["triggerSelector"] = {};
  if (s !== undefined) {
    const ns = decodeNamespaceSelector(s.get("namespaceSelector"), cx);
    if (ns !== undefined) triggerSelector.namespaceSelector = ns;
    const ls = decodeLabelSelector(s.get("labelSelector"), cx);
    if (ls !== undefined) triggerSelector.labelSelector = ls;
  }
  if (
    triggerSelector.namespaceSelector === undefined &&
    triggerSelector.labelSelector === undefined
  ) {
    cx.error(
      selField?.node ?? el.node,
      `${el.path}.triggerSelector`,
      "expected at least one of triggerSelector.namespaceSelector, triggerSelector.labelSelector",
    );
  }
  return { name, interceptors, triggerSelector, loc: cx.loc(el.node, el.path) };
}
