import { HooklineError } from "../../errors/hookline-error.js";
import { createBuiltinRegistry, type BuiltinInterceptorOptions } from "../builtins.js";
import type { InterceptorRegistry } from "../registry.js";
import { loadPlugins } from "./load-plugins.js";

/**
 * The registry the config is loaded with: the core interceptors, then the plug-ins of
 * `interceptorsDir` (HOOKLINE_INTERCEPTORS_DIR or `--interceptors`), when given; `builtins` say
 * where the GitHub and GitLab built-ins call their APIs. Throws a
 * HooklineError listing every plug-in that could not be loaded.
 */
export async function createInterceptorRegistry(
  interceptorsDir: string | undefined,
  builtins: BuiltinInterceptorOptions = {},
): Promise<InterceptorRegistry> {
  const registry = createBuiltinRegistry(builtins);
  if (interceptorsDir === undefined || interceptorsDir === "") return registry;
  const plugins = await loadPlugins(interceptorsDir);
  const taken = plugins.filter((p) => registry.get(p.interceptor.name) !== undefined);
  if (taken.length > 0) {
    // The core names are refused by loadPlugins; hookline's other built-ins are kept too.
    throw new HooklineError(
      "HL_CONFIG_INVALID",
      `plug-ins in ${interceptorsDir} could not be loaded:\n  ${taken
        .map(
          (p) =>
            `${p.file}: the name "${p.interceptor.name}" belongs to a built-in interceptor; choose another name`,
        )
        .join("\n  ")}`,
      { file: interceptorsDir },
    );
  }
  for (const plugin of plugins) registry.register(plugin.interceptor);
  return registry;
}
