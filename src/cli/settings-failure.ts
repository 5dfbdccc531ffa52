import { HooklineError } from "../errors/hookline-error.js";
import type { CommandIo } from "./command-io.js";

/**
 * A bad flag or variable (HL_SETTINGS_INVALID): says so on io.stderr and answers exit code 2.
 * Anything else is rethrown: it is not the user's input.
 */
export function settingsFailure(command: string, err: unknown, io: CommandIo): 2 {
  if (!(err instanceof HooklineError) || err.code !== "HL_SETTINGS_INVALID") throw err;
  io.stderr.write(`hookline ${command}: ${err.message}\n`);
  return 2;
}
