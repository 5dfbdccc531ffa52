import type { CompiledConfig } from "../config/compiled.js";
import { formatIssue, hasDocumentErrors, loadConfigDir } from "../config/load-config.js";
import type { BuiltinInterceptorOptions } from "../interceptors/builtins.js";
import { createInterceptorRegistry } from "../interceptors/plugins/create-interceptor-registry.js";
import type { TextOut } from "./command-io.js";

/**
 * Loads a config directory for a one-shot command (dry-run, replay), with the plug-ins of
 * `--interceptors` or HOOKLINE_INTERCEPTORS_DIR (as the settings read them). On a broken plug-in or
 * a document error it prints why on `stderr` and answers the exit code 2 instead of a config.
 */
export async function loadCliConfig(
  command: string,
  dir: string,
  interceptors: { dir: string | undefined; builtins: BuiltinInterceptorOptions },
  stderr: TextOut,
): Promise<CompiledConfig | 2> {
  let registry;
  try {
    registry = await createInterceptorRegistry(interceptors.dir, interceptors.builtins);
  } catch (err) {
    stderr.write(`hookline ${command}: ${(err as Error).message}\n`);
    return 2;
  }
  const config = await loadConfigDir(dir, { registry });
  if (!hasDocumentErrors(config.issues)) return config;
  for (const issue of config.issues.filter((i) => i.severity === "error")) {
    stderr.write(`${formatIssue(issue)}\n`);
  }
  return 2;
}
