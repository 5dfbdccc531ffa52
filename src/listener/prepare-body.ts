import { firstHeader } from "../core/canonical-header.js";
import type { Header } from "../core/incoming-event.js";

/**
 * The body interceptors see. Tekton turns a form body with two or more keys into the JSON of
 * `map[string][]string` (keys sorted, as Go marshals maps) before the chain runs (TEKTON-SPEC
 * §2.5); any other body is passed on as received.
 */
export function formBodyAsJSON(header: Header, raw: Buffer): Buffer | undefined {
  if (firstHeader(header, "Content-Type") !== "application/x-www-form-urlencoded") return undefined;
  const params = new URLSearchParams(raw.toString("utf8"));
  const map = new Map<string, string[]>();
  for (const [k, v] of params) {
    const list = map.get(k);
    if (list === undefined) map.set(k, [v]);
    else list.push(v);
  }
  if (map.size < 2) return undefined;
  // fromEntries defines the keys: a field named `__proto__` is a key, not a prototype.
  const sorted = Object.fromEntries([...map.keys()].sort().map((k) => [k, map.get(k) ?? []]));
  return Buffer.from(JSON.stringify(sorted));
}
