import { nearestName } from "../core/nearest-name.js";
import {
  COMPLETION_USAGE,
  DRY_RUN_USAGE,
  EVENTS_USAGE,
  LISTENERS_USAGE,
  REPLAY_USAGE,
  RUNS_USAGE,
  SERVE_USAGE,
  SIGN_USAGE,
  VALIDATE_USAGE,
  type CommandUsage,
} from "./command-usage.js";
import { runCompletion } from "./completion-command.js";
import { runDryRun } from "./dry-run-command.js";
import { runEvents } from "./events-command.js";
import { runListeners } from "./listeners-command.js";
import { runReplay } from "./replay-command.js";
import { runRuns } from "./runs-command.js";
import { runServe } from "./serve-command.js";
import { runSign, SIGN_DETAILS } from "./sign-command.js";
import { runValidate } from "./validate-command.js";
import type { CommandIo } from "./command-io.js";

export { commandFlags, usageLines } from "./command-usage.js";

/** One subcommand: its usage (command-usage.ts) and how it runs. */
export interface Command extends CommandUsage {
  readonly run: (argv: readonly string[], io: CommandIo) => Promise<number>;
}

export const COMMANDS: readonly Command[] = [
  { ...SERVE_USAGE, run: runServe },
  { ...VALIDATE_USAGE, run: runValidate },
  { ...DRY_RUN_USAGE, run: runDryRun },
  { ...REPLAY_USAGE, run: runReplay },
  { ...SIGN_USAGE, details: SIGN_DETAILS, run: runSign },
  { ...LISTENERS_USAGE, run: runListeners },
  { ...EVENTS_USAGE, run: runEvents },
  { ...RUNS_USAGE, run: runRuns },
  // The table is passed in: the completion module does not import this one back.
  { ...COMPLETION_USAGE, run: (argv, io) => runCompletion(argv, io, COMMANDS) },
];

/** The command whose name is nearest to `name`, for "did you mean". */
export function suggestCommand(name: string): string | undefined {
  return nearestName(
    name,
    COMMANDS.map((command) => command.name),
  );
}
