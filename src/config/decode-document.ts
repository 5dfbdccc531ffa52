import { isMap, isScalar, isSeq } from "yaml";
import { decodeMap, mapEntries, type DecodeContext, type Field } from "./decode.js";
import { decodeBindingParams } from "./decode-binding-spec.js";
import { decodeClientConfig, INTERCEPTOR_SPEC_FIELDS } from "./decode-client-config.js";
import { fieldNames } from "./decode-fields.js";
import { decodeMeta } from "./decode-meta.js";
import { decodeEventListenerSpec } from "./decode-event-listener.js";
import { decodeSecret } from "./decode-secret.js";
import { decodeTriggerSpecFields, TRIGGER_SPEC_FIELDS } from "./decode-trigger.js";
import { decodeTemplateSpec } from "./decode-template-spec.js";
import type { ApiVersion, InterceptorDecodeEnv } from "./interceptor-decode-env.js";
import { note } from "./issues.js";
import { parseRateLimit } from "./parse-rate-limit.js";
import { ANNOTATION_RATE_LIMIT } from "../concurrency/types.js";
import type { ConfigObject } from "./types.js";

const TRIGGERS_GROUP = "triggers.tekton.dev/";

/** Decodes one YAML document into config objects (a `List` gives several; other kinds none). */
export function decodeDocument(
  root: unknown,
  env: Omit<InterceptorDecodeEnv, "version">,
): ConfigObject[] {
  const { cx } = env;
  const node = cx.deref(root);
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isMap(node)) {
    cx.error(node, "", "a document must be an object with apiVersion and kind");
    return [];
  }
  const apiVersion = scalarString(node.get("apiVersion", true));
  const kind = scalarString(node.get("kind", true));
  if (kind === undefined && apiVersion === undefined && cx.file.endsWith(".json")) {
    // A JSON file with neither is data kept beside the config (a sample payload), not an object.
    cx.issues.push(
      note(
        cx.loc(node, ""),
        "skipped: a JSON document with no apiVersion and kind is not a Kubernetes object",
      ),
    );
    return [];
  }
  if (kind === undefined || apiVersion === undefined) {
    cx.error(
      node,
      kind === undefined ? "kind" : "apiVersion",
      `missing field: ${kind === undefined ? "kind" : "apiVersion"}`,
    );
    return [];
  }
  if (kind === "List" && apiVersion === "v1") {
    const f = decodeMap(node, "", cx, ["apiVersion", "kind", "metadata", "items"]);
    const items = f?.get("items");
    const seq = cx.deref(items?.node);
    if (!isSeq(seq)) return [];
    return seq.items.flatMap((item) => decodeDocument(item, env));
  }
  if (kind === "Secret" && apiVersion === "v1")
    return optional(decodeSecret(node, env, apiVersion));
  if (!apiVersion.startsWith(TRIGGERS_GROUP)) {
    cx.issues.push(
      note(cx.loc(node, ""), `skipped ${apiVersion} ${kind}: not a Tekton Triggers resource`),
    );
    return [];
  }
  const version = apiVersion.slice(TRIGGERS_GROUP.length);
  if (version !== "v1beta1" && version !== "v1alpha1") {
    cx.error(
      node.get("apiVersion", true),
      "apiVersion",
      `unsupported version "${apiVersion}": use triggers.tekton.dev/v1beta1 or v1alpha1`,
    );
    return [];
  }
  return optional(decodeTriggersObject(node, kind, apiVersion, { ...env, version }));
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

function decodeTriggersObject(
  node: unknown,
  kind: string,
  apiVersion: string,
  env: InterceptorDecodeEnv & { version: ApiVersion },
): ConfigObject | undefined {
  const { cx } = env;
  const f = decodeMap(node, "", cx, ["apiVersion", "kind", "metadata", "spec", "status"]);
  if (f === undefined) return undefined;
  const clusterScoped = kind === "ClusterTriggerBinding" || kind === "ClusterInterceptor";
  const known = [
    "EventListener",
    "Trigger",
    "TriggerBinding",
    "ClusterTriggerBinding",
    "TriggerTemplate",
    "Interceptor",
    "ClusterInterceptor",
  ];
  if (!known.includes(kind)) {
    return cx.error(f.get("kind")?.node, "kind", `unknown kind "${kind}" in ${apiVersion}`);
  }
  const metadata = decodeMeta(f.get("metadata"), cx, clusterScoped, node);
  const specField = f.get("spec");
  const loc = cx.loc(node, "");
  if (metadata === undefined) return undefined;
  switch (kind) {
    case "EventListener": {
      if (metadata.name.length > 60)
        cx.error(
          f.get("metadata")?.node,
          "metadata.name",
          "must be no more than 60 characters long",
        );
      checkListenerAnnotations(f.get("metadata"), cx);
      const spec = decodeEventListenerSpec(specField, env, node);
      return spec && { kind, apiVersion, metadata, spec, loc };
    }
    case "Trigger": {
      const s = decodeMap(specField?.node, "spec", cx, TRIGGER_SPEC_FIELDS);
      if (s === undefined) return undefined;
      const spec = decodeTriggerSpecFields(s, env, specField?.node);
      if (!s.has("template"))
        cx.error(specField?.node ?? node, "spec.template", "missing field: template");
      checkRateLimitAnnotation(f.get("metadata"), cx);
      return { kind, apiVersion, metadata, spec, loc };
    }
    case "TriggerBinding":
    case "ClusterTriggerBinding": {
      const params = decodeBindingParams(specField, env);
      return params && { kind, apiVersion, metadata, spec: { params }, loc };
    }
    case "TriggerTemplate": {
      if (specField === undefined) return cx.error(node, "spec", "missing field: spec");
      const spec = decodeTemplateSpec(specField, cx);
      return spec && { kind, apiVersion, metadata, spec, loc };
    }
    case "Interceptor":
    case "ClusterInterceptor": {
      const s = decodeMap(specField?.node, "spec", cx, fieldNames(INTERCEPTOR_SPEC_FIELDS));
      const clientConfig = decodeClientConfig(s?.get("clientConfig"), env);
      return clientConfig && { kind, apiVersion, metadata, spec: { clientConfig }, loc };
    }
    default:
      return undefined;
  }
}

/** The annotations an EventListener's behaviour depends on, and the values each allows. */
const LISTENER_ANNOTATIONS: Readonly<Record<string, readonly string[]>> = {
  "tekton.dev/payload-validation": ["true", "false"],
  "hookline.dev/reply": ["tekton", "honest"],
  "hookline.dev/keep-query": ["true", "false"],
};

function checkListenerAnnotations(metaField: Field | undefined, cx: DecodeContext): void {
  for (const { key, field } of annotationEntries(metaField, cx)) {
    const allowed = LISTENER_ANNOTATIONS[key];
    const value = scalarString(cx.deref(field.node));
    // A non-string value was reported already by the annotations' own decoding.
    if (allowed !== undefined && value !== undefined && !allowed.includes(value)) {
      cx.error(
        field.node,
        field.path,
        `invalid value "${value ?? ""}": must be ${allowed.map((a) => `"${a}"`).join(" or ")}`,
      );
    }
  }
  checkRateLimitAnnotation(metaField, cx);
}

/** `hookline.dev/rate-limit` on a Trigger or an EventListener: `N/s`, `N/m` or `N/h`. */
function checkRateLimitAnnotation(metaField: Field | undefined, cx: DecodeContext): void {
  for (const { key, field } of annotationEntries(metaField, cx)) {
    if (key !== ANNOTATION_RATE_LIMIT) continue;
    const value = scalarString(cx.deref(field.node));
    const parsed = value === undefined ? undefined : parseRateLimit(value);
    if (parsed !== undefined && "error" in parsed) cx.error(field.node, field.path, parsed.error);
  }
}

function annotationEntries(
  metaField: Field | undefined,
  cx: DecodeContext,
): ReturnType<typeof mapEntries> {
  const meta = cx.deref(metaField?.node);
  if (metaField === undefined || !isMap(meta)) return [];
  const annotations = meta.items.find((p) => isScalar(p.key) && p.key.value === "annotations");
  return mapEntries({ node: annotations?.value, path: "metadata.annotations" }, cx);
}
