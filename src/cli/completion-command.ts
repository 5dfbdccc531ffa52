import { parseFlags } from "../settings/parse-settings.js";
import type { CommandIo } from "./command-io.js";
import {
  COMPLETION_USAGE,
  ownArgsOptions,
  usageLines,
  type CommandUsage,
} from "./command-usage.js";
import { settingsFailure } from "./settings-failure.js";
import { completionScript, SHELLS } from "./shell-completion.js";

/**
 * `hookline completion bash|zsh|fish`: prints the shell's completion script for `commands` (the
 * command table, passed in by commands.ts so that this module does not import it back).
 */
export function runCompletion(
  args: readonly string[],
  io: CommandIo,
  commands: readonly CommandUsage[],
): Promise<number> {
  let positionals;
  try {
    ({ positionals } = parseFlags(
      args,
      COMPLETION_USAGE.settings,
      ownArgsOptions(COMPLETION_USAGE),
      true,
    ));
  } catch (err) {
    return Promise.resolve(settingsFailure("completion", err, io));
  }
  const shell = SHELLS.find((s) => s === positionals[0]);
  if (shell === undefined || positionals.length !== 1) {
    io.stderr.write(
      `hookline completion: name one shell: ${SHELLS.join(", ")}\n${usageLines(COMPLETION_USAGE, "usage: ")}\n`,
    );
    return Promise.resolve(2);
  }
  io.stdout.write(completionScript(shell, commands));
  return Promise.resolve(0);
}
