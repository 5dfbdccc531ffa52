import type { CompiledListener } from "../config/compiled.js";
import { nearestName } from "../core/nearest-name.js";

/**
 * Why `preferred` (HOOKLINE_LISTENER / --listener: `namespace/name` or `name`) names no listener of
 * the config, in a sentence that lists the listeners there are (with a did-you-mean when one is
 * close); undefined when it names one, or is not set. Checked at start-up, so that a typo is not a
 * 404 on every delivery.
 * @example checkDefaultListener(listeners, "defualt/el") // 'HOOKLINE_LISTENER "defualt/el" … did you mean "default/el"? …'
 */
export function checkDefaultListener(
  listeners: readonly CompiledListener[],
  preferred: string | undefined,
  what = "HOOKLINE_LISTENER",
): string | undefined {
  if (preferred === undefined || preferred === "") return undefined;
  const qualified = preferred.includes("/");
  const [namespace, name] = qualified ? preferred.split("/", 2) : [undefined, preferred];
  if (
    listeners.some((l) => l.name === name && (namespace === undefined || l.namespace === namespace))
  )
    return undefined;
  const names = listeners.map((l) => `${l.namespace}/${l.name}`);
  const candidates = qualified ? names : [...names, ...listeners.map((l) => l.name)];
  const near = nearestName(preferred, candidates);
  const hint = near === undefined ? "" : `; did you mean "${near}"?`;
  const have =
    names.length === 0
      ? "the config has no EventListener"
      : `the config's EventListener${names.length === 1 ? " is" : "s are"} ${names.join(", ")}`;
  return `${what} "${preferred}" names no EventListener${hint} (${have})`;
}
