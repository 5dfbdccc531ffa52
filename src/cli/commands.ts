import {
  DRY_RUN_USAGE,
  REPLAY_USAGE,
  SERVE_USAGE,
  SIGN_USAGE,
  VALIDATE_USAGE,
  type CommandUsage,
} from "./command-usage.js";
import { runDryRun } from "./dry-run-command.js";
import { runReplay } from "./replay-command.js";
import { runServe } from "./serve-command.js";
import { runSign } from "./sign-command.js";
import { runValidate } from "./validate-command.js";
import type { CommandIo } from "./command-io.js";

export { usageLines } from "./command-usage.js";

/** One subcommand: its usage (command-usage.ts) and how it runs. */
export interface Command extends CommandUsage {
  /** True when the command answers `--help` itself with a longer text (sign). */
  readonly ownHelp: boolean;
  readonly run: (argv: readonly string[], io: CommandIo) => Promise<number>;
}

export const COMMANDS: readonly Command[] = [
  { ...SERVE_USAGE, ownHelp: false, run: runServe },
  { ...VALIDATE_USAGE, ownHelp: false, run: runValidate },
  { ...DRY_RUN_USAGE, ownHelp: false, run: runDryRun },
  { ...REPLAY_USAGE, ownHelp: false, run: runReplay },
  { ...SIGN_USAGE, ownHelp: true, run: runSign },
];

/** The command whose name is nearest to `name` (at most two edits away), for "did you mean". */
export function suggestCommand(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const command of COMMANDS) {
    const distance = editDistance(name, command.name);
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { name: command.name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
