import type { CompiledListener } from "../config/compiled.js";

/**
 * `/listeners/<namespace>/<name>` names a listener; any other path goes to the default one (the
 * only one, or the one HOOKLINE_LISTENER names), as Tekton's sink takes every path.
 */
export function routeListener(
  listeners: readonly CompiledListener[],
  path: string,
  preferred: string | undefined,
): CompiledListener | undefined {
  const m = /^\/listeners\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (m !== null) return listeners.find((l) => l.namespace === m[1] && l.name === m[2]);
  if (preferred !== undefined && preferred !== "") {
    const [a, b] = preferred.includes("/") ? preferred.split("/", 2) : [undefined, preferred];
    return listeners.find((l) => l.name === b && (a === undefined || l.namespace === a));
  }
  return listeners.length === 1 ? listeners[0] : undefined;
}
