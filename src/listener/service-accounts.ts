import type { CompiledListener } from "../config/compiled.js";

const serviceAccountsByListener = new WeakMap<CompiledListener, Map<string, string | undefined>>();

/** Each trigger's serviceAccountName by trigger id, worked out once per loaded listener. */
export function serviceAccountsOf(listener: CompiledListener): Map<string, string | undefined> {
  const known = serviceAccountsByListener.get(listener);
  if (known !== undefined) return known;
  const out = new Map<string, string | undefined>();
  for (const t of [...listener.triggers, ...listener.groups.flatMap((g) => g.triggers)]) {
    if (t.plan.kind === "plan") out.set(t.id, t.plan.serviceAccountName);
  }
  serviceAccountsByListener.set(listener, out);
  return out;
}
