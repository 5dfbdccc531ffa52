import { runDryRun } from "./dry-run-command.js";
import { runReplay } from "./replay-command.js";
import { runServe } from "./serve-command.js";
import { runSign } from "./sign-command.js";
import { runValidate } from "./validate-command.js";
import { environmentVariables } from "../settings/option-definitions.js";
import type { CommandIo } from "./command-io.js";

export type { CommandIo } from "./command-io.js";

const USAGE = `hookline — Tekton Triggers configuration in, resources out

Usage:
  hookline serve [--config DIR|kubernetes]… [--all-listeners] [--port N] [--out DIR]
                 [--sink local|kubernetes] [--store STORE] [--secrets DIR] [--max-body SIZE]
                 [--admin HOST:PORT] [--retention DURATION] [--interceptors DIR] [--host ADDR]
  hookline validate DIR [--interceptors DIR]
  hookline dry-run --config DIR (--payload FILE -H 'Name: value'… | --request FILE.http) [--output yaml|json]
  hookline replay EVENT_ID [--dry-run] [--config DIR] [--store STORE] [--out DIR] [--interceptors DIR]
  hookline sign [--scheme github|bitbucket|gitlab|slack|standard-webhooks|hmac] (--secret S | --secret-file F) PAYLOAD_FILE

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
 * Runs one command; returns the exit code. Commands read `io.env` and write to `io.stdout` and
 * `io.stderr` only (bin/hookline.js passes the process's).
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return runServe(rest, io);
    case "validate":
      return runValidate(rest, io);
    case "sign":
      return runSign(rest, io);
    case "replay":
      return runReplay(rest, io);
    case "dry-run":
      return runDryRun(rest, io);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr.write(`hookline: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
