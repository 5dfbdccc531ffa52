import { decodeList, decodeMap, type Field } from "./decode.js";
import {
  ANY,
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  jsonField,
  listOf,
  STRING,
  stringField,
  type FieldTable,
} from "./decode-fields.js";
import { decodeInterceptors, INTERCEPTOR_FIELDS } from "./decode-interceptor.js";
import type {
  ApiVersion,
  InterceptorDecodeEnv,
  PreDecodedTriggers,
} from "./interceptor-decode-env.js";
import { isMap, isScalar, isSeq } from "yaml";
import {
  decodeLabelSelector,
  decodeNamespaceSelector,
  LABEL_SELECTOR_FIELDS,
  NAMESPACE_SELECTOR_FIELDS,
} from "./decode-selectors.js";
import { decodeTriggerSpecFields, TRIGGER_SPEC_TABLE } from "./decode-trigger.js";
import type { EventListener, EventListenerTrigger, TriggerGroup } from "./types.js";

type Spec = EventListener["spec"];
type TriggerSelector = TriggerGroup["triggerSelector"];

const SELECTOR_FIELDS: FieldTable<TriggerSelector, InterceptorDecodeEnv> = [
  {
    name: "namespaceSelector",
    decode: (field, { cx }) => decodeNamespaceSelector(field, cx),
    doc: "Triggers in these namespaces.",
    schema: fieldTableToJsonSchema(NAMESPACE_SELECTOR_FIELDS),
  },
  {
    name: "labelSelector",
    decode: (field, { cx }) => decodeLabelSelector(field, cx),
    doc: "Triggers with these labels.",
    schema: fieldTableToJsonSchema(LABEL_SELECTOR_FIELDS),
  },
];

/** An inline trigger: a Trigger's spec written in place, or a `triggerRef` to a Trigger. */
export const LISTENER_TRIGGER_FIELDS: FieldTable<EventListenerTrigger, InterceptorDecodeEnv> = [
  ...TRIGGER_SPEC_TABLE,
  {
    name: "triggerRef",
    decode: (field, { cx }) => {
      const name = stringField(field, { cx });
      return name === undefined || name === "" || field === undefined
        ? undefined
        : { name, loc: cx.loc(field.node, field.path) };
    },
    doc: "The name of a Trigger in the listener's namespace (instead of template and bindings).",
    schema: STRING,
  },
];

export const TRIGGER_GROUP_FIELDS: FieldTable<TriggerGroup, InterceptorDecodeEnv> = [
  {
    name: "name",
    decode: (field, env) => stringField(field, env) ?? "",
    doc: "The group's name.",
    schema: STRING,
  },
  {
    name: "interceptors",
    decode: (field, env) => (field === undefined ? undefined : decodeInterceptors(field, env)),
    required: { message: "missing field: a trigger group needs interceptors", keep: true },
    doc: "The interceptors run once for every trigger the group selects.",
    schema: listOf(fieldTableToJsonSchema(INTERCEPTOR_FIELDS)),
  },
  {
    name: "triggerSelector",
    decode: (field, env) => decodeTriggerSelector(field, env),
    doc: "Which Triggers the group runs: at least one of namespaceSelector, labelSelector.",
    schema: fieldTableToJsonSchema(SELECTOR_FIELDS),
  },
];

export const EVENT_LISTENER_SPEC_FIELDS: FieldTable<Spec, InterceptorDecodeEnv> = [
  {
    name: "triggers",
    decode: (field, env) => decodeList(field, env.cx, (el) => listenerTrigger(el, env)),
    doc: "The triggers, inline or by triggerRef.",
    schema: listOf(fieldTableToJsonSchema(LISTENER_TRIGGER_FIELDS)),
  },
  {
    name: "triggerGroups",
    decode: (field, env) => decodeList(field, env.cx, (el) => decodeTriggerGroup(el, env)),
    doc: "Groups of selected Triggers sharing interceptors.",
    schema: listOf(fieldTableToJsonSchema(TRIGGER_GROUP_FIELDS)),
    versions: ["v1beta1"],
  },
  {
    name: "serviceAccountName",
    decode: stringField,
    doc: "The service account the triggers' resources are created as.",
    schema: STRING,
  },
  ...SELECTOR_FIELDS,
  {
    name: "resources",
    decode: jsonField,
    doc: "Tekton's pod and service settings; accepted, not used.",
    schema: ANY,
  },
  {
    name: "cloudEventURI",
    decode: stringField,
    doc: "Where the started, successful, failed and done CloudEvents are sent.",
    schema: STRING,
    versions: ["v1beta1"],
  },
];

export function decodeEventListenerSpec(
  field: Field | undefined,
  env: InterceptorDecodeEnv,
  docNode: unknown,
): Spec | undefined {
  const { cx } = env;
  const f = decodeMap(field?.node, "spec", cx, fieldNames(EVENT_LISTENER_SPEC_FIELDS, env.version));
  if (f === undefined) return undefined;
  const spec: Spec = {
    triggers: [],
    triggerGroups: [],
    ...decodeFields(EVENT_LISTENER_SPEC_FIELDS, f, env, field?.node),
  };
  if (!["labelSelector", "namespaceSelector", "triggerGroups", "triggers"].some((k) => f.has(k))) {
    cx.error(
      field?.node ?? docNode,
      "spec",
      "expected exactly one, got neither: spec.labelSelector, spec.namespaceSelector, spec.triggerGroups, spec.triggers",
    );
  }
  return spec;
}

/** Worked out once: every inline trigger asks for them. */
const LISTENER_TRIGGER_FIELD_NAMES: readonly string[] = fieldNames(LISTENER_TRIGGER_FIELDS);

/**
 * Decodes the inline triggers of an EventListener document ahead of the document, one at a time
 * with a pause after each, into `memo`; the document's decoding then takes them from it
 * (`listenerTrigger`). A trigger's issues are kept apart and added in its place, so the issues
 * and their order are those of a decoding at once. Any other document: nothing done.
 */
export function* preDecodeListenerTriggers(
  root: unknown,
  env: Omit<InterceptorDecodeEnv, "version">,
  memo: PreDecodedTriggers,
): Generator<void, void, undefined> {
  const { cx } = env;
  const node = cx.deref(root);
  if (!isMap(node)) return;
  const apiVersion = node.get("apiVersion", true);
  const kind = node.get("kind", true);
  if (!isScalar(kind) || kind.value !== "EventListener" || !isScalar(apiVersion)) return;
  const version: ApiVersion | undefined =
    apiVersion.value === "triggers.tekton.dev/v1beta1"
      ? "v1beta1"
      : apiVersion.value === "triggers.tekton.dev/v1alpha1"
        ? "v1alpha1"
        : undefined;
  const spec = cx.deref(node.get("spec", true));
  if (version === undefined || !isMap(spec)) return;
  const triggers = cx.deref(spec.get("triggers", true));
  if (!isSeq(triggers)) return;
  for (const [i, element] of triggers.items.entries()) {
    const path = `spec.triggers[${i}]`;
    const start = cx.issues.length;
    const trigger = decodeListenerTrigger({ node: element, path }, { ...env, version });
    memo.set(element, { cx, path, version, trigger, issues: cx.issues.splice(start) });
    yield;
  }
}

/** An inline trigger: decoded ahead (taken once, with its issues), or decoded now. */
function listenerTrigger(el: Field, env: InterceptorDecodeEnv): EventListenerTrigger | undefined {
  const known = env.triggers?.get(el.node);
  if (
    known === undefined ||
    known.cx !== env.cx ||
    known.path !== el.path ||
    known.version !== env.version
  )
    return decodeListenerTrigger(el, env);
  env.triggers?.delete(el.node);
  env.cx.issues.push(...known.issues);
  return known.trigger;
}

function decodeListenerTrigger(
  el: Field,
  env: InterceptorDecodeEnv,
): EventListenerTrigger | undefined {
  const { cx } = env;
  const f = decodeMap(el.node, el.path, cx, LISTENER_TRIGGER_FIELD_NAMES);
  if (f === undefined) return undefined;
  const trigger: EventListenerTrigger = {
    ...decodeTriggerSpecFields(f, env, el.node),
    ...decodeFields(LISTENER_TRIGGER_FIELDS, f, env, el.node, ["triggerRef"]),
    loc: cx.loc(el.node, el.path),
  };
  if (trigger.triggerRef !== undefined) {
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
  const f = decodeMap(el.node, el.path, env.cx, fieldNames(TRIGGER_GROUP_FIELDS));
  const g = f && decodeFields(TRIGGER_GROUP_FIELDS, f, env, el.node);
  if (f === undefined || g === undefined) return undefined;
  const { name = "", interceptors = [], triggerSelector = {} } = g;
  if (
    triggerSelector.namespaceSelector === undefined &&
    triggerSelector.labelSelector === undefined
  ) {
    env.cx.error(
      f.get("triggerSelector")?.node ?? el.node,
      `${el.path}.triggerSelector`,
      "expected at least one of triggerSelector.namespaceSelector, triggerSelector.labelSelector",
    );
  }
  return { name, interceptors, triggerSelector, loc: env.cx.loc(el.node, el.path) };
}

/** A trigger group's `triggerSelector` (absent: no selector, which the group then reports). */
function decodeTriggerSelector(
  field: Field | undefined,
  env: InterceptorDecodeEnv,
): TriggerSelector {
  if (field === undefined) return {};
  const s = decodeMap(field.node, field.path, env.cx, fieldNames(SELECTOR_FIELDS));
  return (s && decodeFields(SELECTOR_FIELDS, s, env, field.node)) ?? {};
}
