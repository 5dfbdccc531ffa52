import { runDryRun } from "./dry-run-command.js";
import { runReplay } from "./replay-command.js";
import { runServe } from "./serve-command.js";
import { runSign } from "./sign-command.js";
import { runValidate } from "./validate-command.js";
import type { CommandIo } from "./command-io.js";

/** One subcommand: the one definition its usage line, its help and the top-level help come from. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The synopsis after `hookline NAME`, wrapped by hand at about 100 columns. */
  readonly synopsis: readonly string[];
  /** True when the command answers `--help` itself with a longer text (sign). */
  readonly ownHelp: boolean;
  readonly run: (argv: readonly string[], io: CommandIo) => Promise<number>;
}

export const COMMANDS: readonly Command[] = [
  {
    name: "serve",
    summary: "run the listener (and the admin port) on a configuration",
    synopsis: [
      "[--config DIR|kubernetes]… [--all-listeners] [--port N] [--out DIR]",
      "[--sink local|kubernetes] [--store STORE] [--secrets DIR] [--max-body SIZE]",
      "[--admin HOST:PORT] [--retention DURATION] [--interceptors DIR] [--host ADDR]",
    ],
    ownHelp: false,
    run: runServe,
  },
  {
    name: "validate",
    summary: "load a configuration and print every error and warning with file:line:col",
    synopsis: ["DIR [--interceptors DIR] [--quiet]"],
    ownHelp: false,
    run: runValidate,
  },
  {
    name: "dry-run",
    summary: "run one event through the configuration and print what it would create",
    synopsis: [
      "--config DIR (--payload FILE -H 'Name: value'… | --request FILE.http) [--listener NAME]",
      "[--output yaml|json]",
    ],
    ownHelp: false,
    run: runDryRun,
  },
  {
    name: "replay",
    summary: "run a journaled event again through the current configuration",
    synopsis: [
      "EVENT_ID [--dry-run] [--config DIR] [--store STORE] [--sink local|kubernetes] [--out DIR]",
      "[--secrets DIR] [--interceptors DIR]",
    ],
    ownHelp: false,
    run: runReplay,
  },
  {
    name: "sign",
    summary: "sign a payload the way a provider does, for curl",
    synopsis: [
      "[--scheme github|bitbucket|gitlab|slack|standard-webhooks|hmac] (--secret S | --secret-file F)",
      "[--timestamp T] [--id ID] [--header NAME] [--algorithm A] [--encoding E] [--prefix P] PAYLOAD_FILE",
    ],
    ownHelp: true,
    run: runSign,
  },
];

/** `PREFIXhookline NAME synopsis…`, continuation lines aligned under the first option. */
export function usageLines(command: Command, prefix = ""): string {
  const head = `${prefix}hookline ${command.name} `;
  const pad = " ".repeat(head.length);
  return command.synopsis.map((line, i) => (i === 0 ? head : pad) + line).join("\n");
}

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
