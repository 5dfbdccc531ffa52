import { HooklineError } from "../errors/hookline-error.js";
import { createRuntime } from "../runtime/create-runtime.js";
import { parseSettings } from "../settings/parse-settings.js";
import type { CommandIo } from "./command-io.js";
import { createCommandLogger } from "./command-logger.js";
import { settingsFailure } from "./settings-failure.js";

/**
 * `hookline serve`: settings from the arguments and io.env, then the runtime until SIGTERM or
 * SIGINT. Exit 2 on a bad flag or variable, 1 when it cannot start.
 */
export async function runServe(args: readonly string[], io: CommandIo): Promise<number> {
  let settings;
  try {
    settings = parseSettings(args, io.env);
  } catch (err) {
    return settingsFailure("serve", err, io);
  }
  const log = createCommandLogger(settings, io.stdout, io.env);
  try {
    // The banner is for a person: on stderr (stdout stays the log's), at every level but error.
    const banner =
      settings.logLevel === "error" ? undefined : (text: string) => void io.stderr.write(text);
    const running = await createRuntime(settings, { log, banner });
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log.info("shutting down", { signal });
        running.close().then(resolve, (err: unknown) => {
          log.error("shutting down failed", { error: (err as Error).message });
          resolve();
        });
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    return 0;
  } catch (err) {
    // A coded failure (HL_CONFIG_INVALID) carries its code, for a person to look up and a machine to match.
    log.error("hookline could not start", {
      error: (err as Error).message,
      ...(err instanceof HooklineError ? { code: err.code } : {}),
    });
    return 1;
  }
}
