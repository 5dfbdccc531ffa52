import type { BuiltinInterceptorOptions } from "../interceptors/builtins.js";
import type { InterceptorSettings } from "./types.js";

/** The settings' provider API variables, as the GitHub and GitLab built-ins take them. */
export function builtinInterceptorOptions(
  settings: InterceptorSettings,
): BuiltinInterceptorOptions {
  return {
    github: {
      apiUrl: settings.github.apiUrl,
      enterpriseHosts: settings.github.enterpriseHosts,
    },
    gitlab: { apiUrl: settings.gitlab.apiUrl },
  };
}
