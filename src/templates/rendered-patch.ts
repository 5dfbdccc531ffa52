import { PATCH_API_VERSION, PATCH_KIND } from "../core/patch-entry.js";
import type { PatchType, RenderedPatch, RenderedResource, RenderInput } from "./types.js";

/** Is this rendered entry a `hookline.dev/v1alpha1` `Patch` (and not a resource to create)? */
export function isPatchEntry(entry: { apiVersion?: unknown; kind?: unknown }): boolean {
  return entry.apiVersion === PATCH_API_VERSION && entry.kind === PATCH_KIND;
}

/**
 * A rendered Patch entry as the trace shows it: no labels are added (it creates nothing), and the
 * target's namespace defaults to the trigger's, as a resource's does. The entry's shape was
 * checked at load (src/config/check-patch-template.ts); rendering only substitutes strings.
 */
export function finishPatch(rendered: unknown, input: RenderInput): RenderedResource {
  const body = { ...(rendered as Record<string, unknown>) };
  const spec = asRecord(body["spec"]);
  const target = asRecord(spec["target"]);
  const namespace =
    typeof target["namespace"] === "string" && target["namespace"] !== ""
      ? target["namespace"]
      : input.namespace;
  body["spec"] = { ...spec, type: spec["type"] ?? "merge", target: { ...target, namespace } };
  return {
    apiVersion: PATCH_API_VERSION,
    kind: PATCH_KIND,
    namespace,
    name: typeof target["name"] === "string" ? target["name"] : undefined,
    generateName: undefined,
    body,
  };
}

/** The patch a rendered Patch entry carries, for the journal and the sinks. */
export function toRenderedPatch(entry: RenderedResource): RenderedPatch {
  const spec = asRecord(entry.body["spec"]);
  const target = asRecord(spec["target"]);
  const text = (v: unknown): string => (typeof v === "string" ? v : "");
  return {
    target: {
      apiVersion: text(target["apiVersion"]),
      kind: text(target["kind"]),
      name: text(target["name"]),
      namespace: text(target["namespace"]) || entry.namespace,
    },
    type: parsePatchType(spec["type"]) ?? "merge",
    patch: spec["patch"],
  };
}

export const PATCH_TYPES: readonly PatchType[] = ["merge", "json", "strategic"];

export function parsePatchType(value: unknown): PatchType | undefined {
  return PATCH_TYPES.find((t) => t === value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
