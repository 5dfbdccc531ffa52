import { decodeMap, decodeString, type DecodeContext, type Field } from "./decode.js";
import {
  decodeFields,
  fieldNames,
  nonEmptyStringField,
  STRING,
  STRING_MAP,
  stringField,
  stringMapField,
  type DecodeEnv,
  type FieldTable,
} from "./decode-fields.js";
import type { ObjectMeta } from "./types.js";

export const DEFAULT_NAMESPACE = "default";

interface MetaEnv extends DecodeEnv {
  /** ClusterTriggerBinding, ClusterInterceptor: the namespace is "" whatever is written. */
  readonly clusterScoped: boolean;
}

const serverSet = (name: string) =>
  ({ name, ignored: true, doc: "Set by the API server; accepted and ignored." }) as const;

/** The ObjectMeta fields a manifest may carry (server-set ones included: users paste `kubectl get -o yaml`). */
export const META_FIELDS: FieldTable<ObjectMeta, MetaEnv> = [
  {
    name: "name",
    decode: nonEmptyStringField,
    required: { message: "missing field: every object needs a name" },
    doc: "The object's name.",
    schema: STRING,
  },
  {
    name: "namespace",
    decode: (field, { cx, clusterScoped }) => {
      if (clusterScoped) return "";
      const namespace = decodeString(field, cx) ?? DEFAULT_NAMESPACE;
      return namespace === "" ? DEFAULT_NAMESPACE : namespace;
    },
    doc: `The object's namespace; "${DEFAULT_NAMESPACE}" when not given (DESIGN.md §2), ignored for cluster-scoped kinds.`,
    schema: STRING,
  },
  {
    name: "labels",
    decode: stringMapField,
    doc: "Labels (selectors match them).",
    schema: STRING_MAP,
  },
  { name: "annotations", decode: stringMapField, doc: "Annotations.", schema: STRING_MAP },
  {
    name: "uid",
    decode: stringField,
    doc: "The object's UID (the cluster's, or a name-based one when not given).",
    schema: STRING,
  },
  {
    name: "generateName",
    decode: stringField,
    doc: "A name prefix; accepted, not used for config objects.",
    schema: STRING,
  },
  serverSet("resourceVersion"),
  serverSet("generation"),
  serverSet("creationTimestamp"),
  serverSet("deletionTimestamp"),
  serverSet("deletionGracePeriodSeconds"),
  serverSet("ownerReferences"),
  serverSet("finalizers"),
  serverSet("managedFields"),
  serverSet("selfLink"),
];

/** Decodes `metadata`; objects without a namespace are in `default` (DESIGN.md §2). */
export function decodeMeta(
  field: Field | undefined,
  cx: DecodeContext,
  clusterScoped: boolean,
  docNode: unknown,
): ObjectMeta | undefined {
  const f = decodeMap(field?.node, "metadata", cx, fieldNames(META_FIELDS));
  const m = f && decodeFields(META_FIELDS, f, { cx, clusterScoped }, field?.node ?? docNode);
  if (m?.name === undefined || m.namespace === undefined) return undefined;
  return {
    ...m,
    name: m.name,
    namespace: m.namespace,
    labels: m.labels ?? {},
    annotations: m.annotations ?? {},
  };
}
