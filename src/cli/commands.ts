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
import { SIGN_DETAILS } from "./sign-command.js";
import type { CommandIo } from "./command-io.js";

export { commandFlags, usageLines } from "./command-usage.js";

/** One subcommand: its usage (command-usage.ts) and how it runs. */
export interface Command extends CommandUsage {
  readonly run: (argv: readonly string[], io: CommandIo) => Promise<number>;
}

/**
 * Each command's module is imported when that command runs: `--help`, `completion` and `sign`
 * do not load the runtime, the journal drivers or the HTTP client (docs/architecture.md, "What
 * is loaded when").
 */
export const COMMANDS: readonly Command[] = [
  {
    ...SERVE_USAGE,
    run: async (argv, io) => (await import("./serve-command.js")).runServe(argv, io),
  },
  {
    ...VALIDATE_USAGE,
    run: async (argv, io) => (await import("./validate-command.js")).runValidate(argv, io),
  },
  {
    ...DRY_RUN_USAGE,
    run: async (argv, io) => (await import("./dry-run-command.js")).runDryRun(argv, io),
  },
  {
    ...REPLAY_USAGE,
    run: async (argv, io) => (await import("./replay-command.js")).runReplay(argv, io),
  },
  {
    ...SIGN_USAGE,
    details: SIGN_DETAILS,
    run: async (argv, io) => (await import("./sign-command.js")).runSign(argv, io),
  },
  {
    ...LISTENERS_USAGE,
    run: async (argv, io) => (await import("./listeners-command.js")).runListeners(argv, io),
  },
  {
    ...EVENTS_USAGE,
    run: async (argv, io) => (await import("./events-command.js")).runEvents(argv, io),
  },
  { ...RUNS_USAGE, run: async (argv, io) => (await import("./runs-command.js")).runRuns(argv, io) },
  // The table is passed in: the completion module does not import this one back.
  {
    ...COMPLETION_USAGE,
    run: async (argv, io) =>
      (await import("./completion-command.js")).runCompletion(argv, io, COMMANDS),
  },
];

/** The command whose name is nearest to `name`, for "did you mean". */
export function suggestCommand(name: string): string | undefined {
  return nearestName(
    name,
    COMMANDS.map((command) => command.name),
  );
}
