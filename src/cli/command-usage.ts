/** What a command's help says: the one definition its usage line, its help and the top-level help come from. */
export interface CommandUsage {
  readonly name: string;
  readonly summary: string;
  /** The synopsis after `hookline NAME`, wrapped by hand at about 100 columns. */
  readonly synopsis: readonly string[];
}

export const SERVE_USAGE: CommandUsage = {
  name: "serve",
  summary: "run the listener (and the admin port) on a configuration",
  synopsis: [
    "[--config DIR|kubernetes]… [--all-listeners] [--port N] [--out DIR]",
    "[--sink local|kubernetes] [--store STORE] [--secrets DIR] [--max-body SIZE]",
    "[--admin HOST:PORT] [--retention DURATION] [--interceptors DIR] [--host ADDR]",
  ],
};

export const VALIDATE_USAGE: CommandUsage = {
  name: "validate",
  summary: "load a configuration and print every error and warning with file:line:col",
  synopsis: ["DIR [--interceptors DIR] [--secrets DIR] [--quiet]"],
};

export const DRY_RUN_USAGE: CommandUsage = {
  name: "dry-run",
  summary: "run one event through the configuration and print what it would create",
  synopsis: [
    "--config DIR (--payload FILE -H 'Name: value'… | --request FILE.http) [--listener NAME]",
    "[--output yaml|json]",
  ],
};

export const REPLAY_USAGE: CommandUsage = {
  name: "replay",
  summary: "run a journaled event again through the current configuration",
  synopsis: [
    "EVENT_ID [--dry-run] [--config DIR] [--store STORE] [--sink local|kubernetes] [--out DIR]",
    "[--secrets DIR] [--interceptors DIR]",
  ],
};

export const SIGN_USAGE: CommandUsage = {
  name: "sign",
  summary: "sign a payload the way a provider does, for curl",
  synopsis: [
    "[--scheme github|bitbucket|gitlab|slack|standard-webhooks|hmac] (--secret S | --secret-file F)",
    "[--timestamp T] [--id ID] [--header NAME] [--algorithm A] [--encoding E] [--prefix P] PAYLOAD_FILE",
  ],
};

/** `PREFIXhookline NAME synopsis…`, continuation lines aligned under the first option. */
export function usageLines(command: CommandUsage, prefix = ""): string {
  const head = `${prefix}hookline ${command.name} `;
  const pad = " ".repeat(head.length);
  return command.synopsis.map((line, i) => (i === 0 ? head : pad) + line).join("\n");
}
