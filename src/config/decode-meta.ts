import {
  decodeMap,
  decodeString,
  decodeStringMap,
  type DecodeContext,
  type Field,
} from "./decode.js";
import type { ObjectMeta } from "./types.js";

/** The ObjectMeta fields a manifest may carry (server-set ones included: users paste `kubectl get -o yaml`). */
const META_FIELDS = [
  "name",
  "namespace",
  "generateName",
  "uid",
  "labels",
  "annotations",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "ownerReferences",
  "finalizers",
  "managedFields",
  "selfLink",
] as const;

export const DEFAULT_NAMESPACE = "default";

/** Decodes `metadata`; objects without a namespace are in `default` (DESIGN.md §2). */
export function decodeMeta(
  field: Field | undefined,
  cx: DecodeContext,
  clusterScoped: boolean,
  docNode: unknown,
): ObjectMeta | undefined {
  const f = decodeMap(field?.node, "metadata", cx, META_FIELDS);
  if (f === undefined) return undefined;
  const name = decodeString(f.get("name"), cx);
  if (name === undefined || name === "") {
    return cx.error(
      field?.node ?? docNode,
      "metadata.name",
      "missing field: every object needs a name",
    );
  }
  const namespace = clusterScoped
    ? ""
    : (decodeString(f.get("namespace"), cx) ?? DEFAULT_NAMESPACE);
  const meta: ObjectMeta = {
    name,
    namespace: namespace === "" && !clusterScoped ? DEFAULT_NAMESPACE : namespace,
    labels: decodeStringMap(f.get("labels"), cx),
    annotations: decodeStringMap(f.get("annotations"), cx),
  };
  const uid = decodeString(f.get("uid"), cx);
  if (uid !== undefined) meta.uid = uid;
  const generateName = decodeString(f.get("generateName"), cx);
  if (generateName !== undefined) meta.generateName = generateName;
  return meta;
}
