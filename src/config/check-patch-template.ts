import { isMap, isScalar, isSeq } from "yaml";
import { TT_PARAM } from "../templates/compile-template.js";
import { PATCH_TYPES } from "../templates/rendered-patch.js";
import {
  childPath,
  decodeEntrySpec,
  decodeMap,
  describeNode,
  type DecodeContext,
  type Field,
} from "./decode.js";

const JSON_PATCH_OPS = ["add", "remove", "replace", "move", "copy", "test"] as const;

/**
 * Checks a `hookline.dev/v1alpha1` `Patch` entry of a TriggerTemplate's resourcetemplates, with
 * the file, line and column of each problem: no unknown fields; `spec.target` with `apiVersion`,
 * `kind` and `name` (strings, params allowed; `namespace` optional); `spec.type` one of `merge`
 * (the default), `json`, `strategic` (written out, not a param); `spec.patch` an object, or for
 * `json` a list of RFC 6902 operations each with `op` and `path` (and `from`, `value` as the op
 * needs). Returns false when something was reported.
 */
export function checkPatchTemplate(el: Field, cx: DecodeContext): boolean {
  const before = cx.issues.length;
  const decoded = decodeEntrySpec(el, cx, ["target", "type", "patch"]);
  if (decoded === undefined) return cx.issues.length === before;
  const { spec, specField } = decoded;

  const targetField = spec.get("target");
  if (targetField === undefined) {
    cx.error(specField.node, childPath(specField.path, "target"), "missing field: target");
  } else {
    const target = decodeMap(targetField.node, targetField.path, cx, [
      "apiVersion",
      "kind",
      "name",
      "namespace",
    ]);
    if (target !== undefined) {
      for (const key of ["apiVersion", "kind", "name"]) {
        const f = target.get(key);
        if (f === undefined)
          cx.error(targetField.node, childPath(targetField.path, key), `missing field: ${key}`);
        else requireString(f, cx);
      }
      const ns = target.get("namespace");
      if (ns !== undefined) requireString(ns, cx);
    }
  }

  let type = "merge";
  const typeField = spec.get("type");
  if (typeField !== undefined) {
    const node = cx.deref(typeField.node);
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== "string" || !PATCH_TYPES.some((t) => t === value)) {
      cx.error(
        node,
        typeField.path,
        `type must be one of ${PATCH_TYPES.join(", ")} (default merge), got ${typeof value === "string" ? `"${value}"` : describeNode(node)}`,
      );
    } else {
      type = value;
    }
  }

  const patchField = spec.get("patch");
  if (patchField === undefined) {
    cx.error(specField.node, childPath(specField.path, "patch"), "missing field: patch");
  } else {
    const node = cx.deref(patchField.node);
    if (type === "json") checkJsonPatch(node, patchField.path, cx);
    else if (!isMap(node)) {
      cx.error(
        node,
        patchField.path,
        `a ${type} patch must be an object, got ${describeNode(node)}`,
      );
    }
  }
  return cx.issues.length === before;
}

function checkJsonPatch(node: unknown, path: string, cx: DecodeContext): void {
  if (!isSeq(node)) {
    cx.error(
      node,
      path,
      `a json patch must be a list of operations (RFC 6902: op, path), got ${describeNode(node)}`,
    );
    return;
  }
  node.items.forEach((item, i) => {
    const opPath = `${path}[${i}]`;
    const fields = decodeMap(item, opPath, cx, ["op", "path", "from", "value"]);
    if (fields === undefined) return;
    const opField = fields.get("op");
    const opNode = opField === undefined ? undefined : cx.deref(opField.node);
    const op = isScalar(opNode) ? opNode.value : undefined;
    if (opField === undefined) cx.error(item, `${opPath}.op`, "missing field: op");
    else if (typeof op !== "string" || !JSON_PATCH_OPS.some((o) => o === op)) {
      cx.error(opNode, opField.path, `op must be one of ${JSON_PATCH_OPS.join(", ")}`);
    }
    const pathField = fields.get("path");
    if (pathField === undefined) cx.error(item, `${opPath}.path`, "missing field: path");
    else checkPointer(pathField, cx);
    if ((op === "move" || op === "copy") && !fields.has("from"))
      cx.error(item, `${opPath}.from`, `missing field: from (a ${op} op needs one)`);
    const from = fields.get("from");
    if (from !== undefined) checkPointer(from, cx);
    if ((op === "add" || op === "replace" || op === "test") && !fields.has("value"))
      cx.error(item, `${opPath}.value`, `missing field: value (an ${op} op needs one)`);
  });
}

/** A JSON pointer: "" or starting with "/", unless a param supplies its start. */
function checkPointer(field: Field, cx: DecodeContext): void {
  const text = requireString(field, cx);
  if (text === undefined || text === "" || text.startsWith("/")) return;
  if (new RegExp(`^${TT_PARAM.source}`).test(text)) return;
  cx.error(field.node, field.path, `"${text}" is not a JSON pointer: it must start with "/"`);
}

function requireString(field: Field, cx: DecodeContext): string | undefined {
  const node = cx.deref(field.node);
  if (isScalar(node) && typeof node.value === "string" && node.value !== "") return node.value;
  return cx.error(node, field.path, `expected a non-empty string, got ${describeNode(node)}`);
}
