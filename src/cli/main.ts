import { runDryRun } from "./dry-run-command.js";
import { runReplay } from "./replay-command.js";
import { runServe } from "./serve-command.js";
import { runSign } from "./sign-command.js";
import { runValidate } from "./validate-command.js";

const USAGE = `hookline — Tekton Triggers configuration in, resources out

Usage:
  hookline serve [--config DIR] [--port N] [--out DIR] [--store STORE] [--secrets DIR] [--max-body SIZE] [--interceptors DIR]
  hookline validate DIR [--interceptors DIR]
  hookline dry-run --config DIR (--payload FILE -H 'Name: value'… | --request FILE.http) [--output json]
  hookline replay EVENT_ID [--dry-run] [--config DIR] [--store STORE] [--out DIR] [--interceptors DIR]
  hookline sign --secret SECRET | --secret-file FILE  [--scheme github] PAYLOAD_FILE

Environment: PORT, HOOKLINE_STORE, HOOKLINE_INTERCEPTORS_DIR, HOOKLINE_LISTENER, HOOKLINE_SECRETS_DIR, HOOKLINE_MAX_BODY, HOOKLINE_LOG_LEVEL
`;

/** Runs one command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return runServe(rest);
    case "validate":
      return runValidate(rest);
    case "sign":
      return runSign(rest);
    case "replay":
      return runReplay(rest);
    case "dry-run":
      return runDryRun(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`hookline: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
