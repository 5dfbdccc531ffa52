import { runDryRun } from "./dry-run-command.js";
import { runReplay } from "./replay-command.js";
import { runServe } from "./serve-command.js";
import { runSign } from "./sign-command.js";
import { runValidate } from "./validate-command.js";

const USAGE = `hookline — Tekton Triggers configuration in, resources out

Usage:
  hookline serve [--config DIR|kubernetes]… [--all-listeners] [--port N] [--out DIR]
                 [--sink local|kubernetes] [--store STORE] [--secrets DIR] [--max-body SIZE]
                 [--admin HOST:PORT] [--retention DURATION] [--interceptors DIR] [--host ADDR]
  hookline validate DIR [--interceptors DIR]
  hookline dry-run --config DIR (--payload FILE -H 'Name: value'… | --request FILE.http) [--output yaml|json]
  hookline replay EVENT_ID [--dry-run] [--config DIR] [--store STORE] [--out DIR] [--interceptors DIR]
  hookline sign [--scheme github|bitbucket|gitlab|slack|standard-webhooks|hmac] (--secret S | --secret-file F) PAYLOAD_FILE

Environment: PORT, HOOKLINE_STORE, HOOKLINE_SINK, HOOKLINE_ADMIN_ADDR, HOOKLINE_ADMIN_TOKEN,
  HOOKLINE_RETENTION, HOOKLINE_INTERCEPTORS_DIR, HOOKLINE_LISTENER, HOOKLINE_SECRETS_DIR,
  HOOKLINE_MAX_BODY, HOOKLINE_LOG_LEVEL, TLS_CERT, TLS_KEY, KUBECONFIG
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
