/**
 * The TriggerTemplate entry that patches an existing object instead of creating one
 * (`apiVersion: hookline.dev/v1alpha1`, `kind: Patch`): its name, shared by the stages that
 * plan, store and apply it.
 */
export const PATCH_API_VERSION = "hookline.dev/v1alpha1";
export const PATCH_KIND = "Patch";

/** `Application "argocd/web"`: how logs, errors and pages name a patch's target. */
export function describePatchTarget(target: {
  kind: string;
  namespace: string;
  name: string;
}): string {
  return `${target.kind} "${target.namespace}/${target.name}"`;
}
