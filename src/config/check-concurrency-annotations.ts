import { isMap, isScalar } from "yaml";
import { readConcurrencyPolicy } from "../concurrency/read-concurrency-policy.js";
import { ANNOTATION_GROUP } from "../concurrency/types.js";
import { compileText } from "../templates/compile-template.js";
import { childPath, type DecodeContext, type Field } from "./decode.js";

/** What the checks of one template's resources have seen so far: its first grouped resource. */
export interface GroupedResources {
  first: string | undefined;
}

/**
 * Checks a resource template's concurrency annotations (issue 12) at load, each problem at the
 * file, line and column of the annotation it is about: the rules of readConcurrencyPolicy
 * (src/concurrency/read-concurrency-policy.ts) over the values written out, and at most one
 * grouped resource per template (a run has one group). A value that holds a `$(tt.params.x)` or
 * `$(uid)` is checked once rendered (the trigger fails at stage "template"). Returns false when
 * something was reported.
 */
export function checkConcurrencyAnnotations(
  el: Field,
  value: Readonly<Record<string, unknown>>,
  cx: DecodeContext,
  grouped: GroupedResources,
): boolean {
  const meta = value["metadata"];
  const annotations =
    isRecord(meta) && isRecord(meta["annotations"]) ? meta["annotations"] : undefined;
  if (annotations === undefined) return true;
  const reading = readConcurrencyPolicy(
    { apiVersion: value["apiVersion"], kind: value["kind"], annotations },
    (text) => compileText(text) !== undefined,
  );
  if (reading.kind === "none") return true;
  const before = cx.issues.length;
  const annotationsPath = childPath(childPath(el.path, "metadata"), "annotations");
  const nodes = annotationNodes(el.node, cx);
  const at = (annotation: string): { node: unknown; path: string } => ({
    node: nodes.get(annotation) ?? el.node,
    path: `${annotationsPath}[${annotation}]`,
  });
  if (reading.kind === "invalid")
    for (const p of reading.problems) {
      const { node, path } = at(p.annotation);
      cx.error(node, path, p.message);
    }
  if (Object.hasOwn(annotations, ANNOTATION_GROUP)) {
    if (grouped.first === undefined) grouped.first = el.path;
    else {
      const { node, path } = at(ANNOTATION_GROUP);
      cx.error(
        node,
        path,
        `${grouped.first} already has a concurrency group: a trigger's run has one group, so only one resource of a template may carry ${ANNOTATION_GROUP}`,
      );
    }
  }
  return cx.issues.length === before;
}

/** Each annotation's value node (through aliases), for its position. */
function annotationNodes(node: unknown, cx: DecodeContext): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const meta = child(cx.deref(node), "metadata", cx);
  const annotations = child(meta, "annotations", cx);
  if (!isMap(annotations)) return out;
  for (const pair of annotations.items)
    if (isScalar(pair.key)) out.set(String(pair.key.value), cx.deref(pair.value) ?? pair.key);
  return out;
}

function child(node: unknown, key: string, cx: DecodeContext): unknown {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair === undefined ? undefined : cx.deref(pair.value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
