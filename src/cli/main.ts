import { COMMANDS, suggestCommand, usageLines, type Command } from "./commands.js";
import { optionLines } from "./command-usage.js";
import { packageVersion } from "./package-version.js";
import { environmentVariables } from "../settings/option-definitions.js";
import type { CommandIo } from "./command-io.js";

export type { CommandIo } from "./command-io.js";

/** The commands' column in the top-level help: the longest name and two spaces. */
const COMMAND_COLUMN = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;

const USAGE = `hookline — Tekton Triggers configuration in, resources out

Usage:
${COMMANDS.map((command) => usageLines(command, "  ")).join("\n")}
  hookline --help | --version
  hookline COMMAND --help

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(COMMAND_COLUMN)}${command.summary}`).join("\n")}

Environment: ${wrap(environmentVariables(), 2, 100)}
`;

/** `names` joined with ", ", broken into lines of at most `width`, continued with `indent`. */
function wrap(names: readonly string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const name of names) {
    const next = line === "" ? name : `${line}, ${name}`;
    if (next.length + indent > width && line !== "") {
      lines.push(`${line},`);
      line = name;
    } else line = next;
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

/**
 * The help of one command: its usage line (the same text the top-level help shows), summary and
 * every flag it takes, all from its one definition (command-usage.ts).
 */
export function commandHelp(command: Command): string {
  const details = command.details === undefined ? "" : `\n${command.details}`;
  return `${usageLines(command, "usage: ")}\n\n${command.summary}.\n\nOptions:\n${optionLines(command)}\n${details}\nRun \`hookline --help\` for the environment variables.\n`;
}

/** True when `argv` asks for help before any `--` (after which everything is an operand). */
function asksForHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

/**
 * Runs one command; returns the exit code. Commands read `io.env` and write to `io.stdout` and
 * `io.stderr` only (bin/hookline.js passes the process's).
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
      io.stderr.write(USAGE);
      return 2;
    case "help":
    case "--help":
    case "-h": {
      const topic = COMMANDS.find((command) => command.name === rest[0]);
      io.stdout.write(topic === undefined ? USAGE : commandHelp(topic));
      return 0;
    }
    case "--version":
    case "-V":
    case "version":
      io.stdout.write(`hookline ${packageVersion()}\n`);
      return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const suggestion = suggestCommand(name);
    const hint = suggestion === undefined ? "" : ` — did you mean "${suggestion}"?`;
    io.stderr.write(`hookline: unknown command "${name}"${hint}\n\n${USAGE}`);
    return 2;
  }
  if (asksForHelp(rest)) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  return command.run(rest, io);
}
