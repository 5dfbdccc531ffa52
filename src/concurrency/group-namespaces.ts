import type { CompiledConfig } from "../config/compiled.js";
import type { TemplateNode } from "../templates/types.js";
import { ANNOTATION_GROUP } from "./types.js";

/**
 * The namespaces whose runs of concurrency groups the cluster's group watch must see: for every
 * trigger whose template has a resource carrying `hookline.dev/concurrency-group`, the resource's
 * own `metadata.namespace` when it is written out, else the trigger's namespace (where a resource
 * that names none is created). A namespace made of params cannot be known at load: the trigger's
 * namespace stands for it (such runs are still decided after each create and at the resync, but
 * their finishes are not watched). Sorted, each once; empty when no template declares a group.
 */
export function groupNamespaces(config: CompiledConfig): string[] {
  const out = new Set<string>();
  for (const listener of config.listeners)
    for (const trigger of listener.triggers) {
      if (trigger.plan.kind !== "plan") continue;
      for (const resource of trigger.plan.template.resources) {
        const metadata = entry(resource, "metadata");
        if (
          metadata === undefined ||
          entry(entry(metadata, "annotations"), ANNOTATION_GROUP) === undefined
        )
          continue;
        const ns = entry(metadata, "namespace");
        out.add(
          ns?.kind === "constant" && typeof ns.value === "string" && ns.value !== ""
            ? ns.value
            : trigger.namespace,
        );
      }
    }
  return [...out].sort();
}

/** The value of a constant key of an object node (a constant object's too). */
function entry(node: TemplateNode | undefined, key: string): TemplateNode | undefined {
  if (node === undefined) return undefined;
  if (node.kind === "constant") {
    const v = node.value;
    if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.hasOwn(v, key))
      return undefined;
    return { kind: "constant", value: (v as Record<string, unknown>)[key] };
  }
  if (node.kind !== "object") return undefined;
  const found = node.entries.find(
    (e) =>
      (e.key.kind === "constant" && e.key.value === key) ||
      (e.key.kind === "text" &&
        e.key.parts.length === 1 &&
        e.key.parts[0]?.kind === "text" &&
        e.key.parts[0].text === key),
  );
  return found?.value;
}
