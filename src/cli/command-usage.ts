import { OPTIONS, type OptionDefinition, type OptionName } from "../settings/option-definitions.js";
import { SERVE_FLAGS } from "../settings/parse-settings.js";
import type { ArgsOptions } from "../settings/read-option.js";

/** A flag of one command alone (the shared ones are entries of the settings table). */
export interface OwnFlag {
  readonly flag: string;
  /** `text` takes a value, `list` a value and may repeat, `switch` none. */
  readonly arg: "text" | "list" | "switch";
  /** The placeholder of its value in help (`--payload FILE`); none for a switch. */
  readonly metavar?: string;
  /** A one-letter alias (`-H`). */
  readonly short?: string;
  readonly help: string;
}

/**
 * What a command's help says and which flags it takes: the one definition its usage line, its
 * help, its argument parser, its "did you mean" and the shell completions come from.
 */
export interface CommandUsage {
  readonly name: string;
  readonly summary: string;
  /** The synopsis after `hookline NAME`, wrapped by hand at about 100 columns. */
  readonly synopsis: readonly string[];
  /** The settings-table options whose flags the command takes (option-definitions.ts). */
  readonly settings: readonly OptionName[];
  /** Its own flags. */
  readonly own: readonly OwnFlag[];
  /** Whether it takes operands (`validate DIR`, `replay EVENT_ID`). */
  readonly positionals: boolean;
  /** More help after the options (sign's schemes). */
  readonly details?: string;
}

/** One flag as help and completion show it, wherever it is defined. */
export interface FlagHelp {
  readonly flag: string;
  readonly arg: "text" | "list" | "switch";
  readonly metavar: string | undefined;
  readonly short: string | undefined;
  readonly help: string;
  /** The environment variable that sets it too, if any. */
  readonly env: string | undefined;
}

export const SERVE_USAGE: CommandUsage = {
  name: "serve",
  summary: "run the listener (and the admin port) on a configuration",
  synopsis: [
    "[--config DIR|kubernetes]… [--all-listeners] [--port N] [--out DIR]",
    "[--sink local|kubernetes] [--store STORE] [--secrets DIR] [--max-body SIZE]",
    "[--admin HOST:PORT] [--retention DURATION] [--interceptors DIR] [--host ADDR]",
  ],
  settings: SERVE_FLAGS,
  own: [],
  positionals: false,
};

export const VALIDATE_USAGE: CommandUsage = {
  name: "validate",
  summary: "load a configuration and print every error and warning with file:line:col",
  synopsis: ["DIR [--interceptors DIR] [--secrets DIR] [--quiet]"],
  settings: ["interceptors", "secrets"],
  own: [{ flag: "quiet", arg: "switch", help: "leave out the notes" }],
  positionals: true,
};

export const DRY_RUN_USAGE: CommandUsage = {
  name: "dry-run",
  summary: "run one event through the configuration and print what it would create",
  synopsis: [
    "--config DIR (--payload FILE -H 'Name: value'… | --request FILE.http) [--listener NS/NAME]",
    "[--output yaml|json] [--secrets DIR] [--interceptors DIR]",
  ],
  settings: ["secrets", "interceptors"],
  own: [
    {
      flag: "config",
      arg: "text",
      metavar: "DIR",
      help: "the config directory (default examples/config)",
    },
    { flag: "payload", arg: "text", metavar: "FILE", help: "the event's body" },
    {
      flag: "header",
      arg: "list",
      short: "H",
      metavar: "'Name: value'",
      help: "a header of the event (repeatable; Content-Type defaults to application/json)",
    },
    {
      flag: "request",
      arg: "text",
      metavar: "FILE.http",
      help: "a captured HTTP request instead: request line, headers, blank line, body",
    },
    {
      flag: "listener",
      arg: "text",
      metavar: "NS/NAME",
      help: "the EventListener (default: the request's path, else HOOKLINE_LISTENER)",
    },
    { flag: "output", arg: "text", metavar: "yaml|json", help: "what to print (default yaml)" },
  ],
  positionals: false,
};

export const REPLAY_USAGE: CommandUsage = {
  name: "replay",
  summary: "run a journaled event again through the current configuration",
  synopsis: [
    "EVENT_ID [--dry-run] [--config DIR] [--store STORE] [--sink local|kubernetes] [--out DIR]",
    "[--secrets DIR] [--interceptors DIR]",
  ],
  settings: ["store", "out", "sink", "secrets", "interceptors"],
  own: [
    { flag: "dry-run", arg: "switch", help: "print what would be created; store nothing" },
    {
      flag: "config",
      arg: "text",
      metavar: "DIR",
      help: "the config directory (default examples/config)",
    },
  ],
  positionals: true,
};

export const SIGN_USAGE: CommandUsage = {
  name: "sign",
  summary: "sign a payload the way a provider does, for curl",
  synopsis: [
    "[--scheme github|bitbucket|gitlab|slack|standard-webhooks|hmac] (--secret S | --secret-file F)",
    "[--timestamp T] [--id ID] [--header NAME] [--algorithm A] [--encoding E] [--prefix P] PAYLOAD_FILE",
  ],
  settings: [],
  own: [
    { flag: "scheme", arg: "text", metavar: "SCHEME", help: "whose signature (default github)" },
    {
      flag: "secret",
      arg: "text",
      metavar: "SECRET",
      help: "the secret (it shows in `ps`: prefer --secret-file)",
    },
    { flag: "secret-file", arg: "text", metavar: "FILE", help: "a file holding the secret" },
    {
      flag: "timestamp",
      arg: "text",
      metavar: "SECONDS",
      help: "slack, standard-webhooks: the Unix time (default now)",
    },
    {
      flag: "id",
      arg: "text",
      metavar: "ID",
      help: "standard-webhooks: the message id (default msg_<uuid>)",
    },
    { flag: "header", arg: "text", metavar: "NAME", help: "hmac: the header to write" },
    { flag: "algorithm", arg: "text", metavar: "A", help: "hmac: the digest (default sha256)" },
    { flag: "encoding", arg: "text", metavar: "E", help: "hmac: hex or base64 (default hex)" },
    { flag: "prefix", arg: "text", metavar: "TEXT", help: "hmac: text before the digest" },
  ],
  positionals: true,
};

export const LISTENERS_USAGE: CommandUsage = {
  name: "listeners",
  summary:
    "list each EventListener's webhook URL, the providers its triggers check and their event types",
  synopsis: ["[--config DIR] [--port N] [--host ADDR] [--interceptors DIR] [--output text|json]"],
  settings: ["port", "host", "interceptors"],
  own: [
    {
      flag: "config",
      arg: "text",
      metavar: "DIR",
      help: "the config directory (default examples/config)",
    },
    { flag: "output", arg: "text", metavar: "text|json", help: "a table (default) or JSON" },
  ],
  positionals: false,
};

export const EVENTS_USAGE: CommandUsage = {
  name: "events",
  summary: "list the journal's events, or show one's decision trace (through the admin port)",
  synopsis: [
    "[show EVENT_ID] [--listener NS/NAME] [--outcome OUTCOME] [--group KEY] [--since DURATION|TIME]",
    "[--limit N] [--admin HOST:PORT] [--output text|json]",
  ],
  settings: ["admin"],
  own: [
    { flag: "listener", arg: "text", metavar: "NS/NAME", help: "only this EventListener's events" },
    {
      flag: "outcome",
      arg: "text",
      metavar: "fired|filtered|rejected|failed|duplicate|invalid|rate_limited",
      help: "only events that ended so",
    },
    {
      flag: "group",
      arg: "text",
      metavar: "KEY",
      help: "only events with a run of this concurrency group (its key, or NAMESPACE/HASH)",
    },
    {
      flag: "since",
      arg: "text",
      metavar: "DURATION|TIME",
      help: "only events received since then: 30m, 2h, 7d back, or a time",
    },
    {
      flag: "limit",
      arg: "text",
      metavar: "N",
      help: "at most N events, newest first (default 20)",
    },
    { flag: "output", arg: "text", metavar: "text|json", help: "text (default) or the API's JSON" },
  ],
  positionals: true,
};

export const RUNS_USAGE: CommandUsage = {
  name: "runs",
  summary: "finish a run the local sink wrote, so a queue moves on (through the admin port)",
  synopsis: [
    "finish NAME [--namespace NS] [--kind PipelineRun|TaskRun] [--reason Succeeded|Failed]",
    "[--admin HOST:PORT]",
  ],
  settings: ["admin"],
  own: [
    {
      flag: "namespace",
      arg: "text",
      metavar: "NS",
      help: "the run's namespace (default default)",
    },
    {
      flag: "kind",
      arg: "text",
      metavar: "PipelineRun|TaskRun",
      help: "the run's kind (default PipelineRun)",
    },
    {
      flag: "reason",
      arg: "text",
      metavar: "Succeeded|Failed",
      help: "how it ended (default Succeeded)",
    },
  ],
  positionals: true,
};

export const COMPLETION_USAGE: CommandUsage = {
  name: "completion",
  summary: "print the shell completion script: source <(hookline completion bash)",
  synopsis: ["bash|zsh|fish"],
  settings: [],
  own: [],
  positionals: true,
};

/** `PREFIXhookline NAME synopsis…`, continuation lines aligned under the first option. */
export function usageLines(command: CommandUsage, prefix = ""): string {
  const head = `${prefix}hookline ${command.name} `;
  const pad = " ".repeat(head.length);
  return command.synopsis.map((line, i) => (i === 0 ? head : pad) + line).join("\n");
}

/** Every flag the command takes: its own, then its settings-table options' flags. */
export function commandFlags(command: CommandUsage): readonly FlagHelp[] {
  const fromTable = command.settings.flatMap((name): FlagHelp[] => {
    const o: OptionDefinition = OPTIONS[name];
    if (o.flag === undefined) return [];
    return [
      {
        flag: o.flag,
        arg: o.arg,
        metavar: o.arg === "switch" ? undefined : o.metavar,
        short: undefined,
        help: o.help,
        env: o.env,
      },
    ];
  });
  const own = command.own.map((o): FlagHelp => ({
    flag: o.flag,
    arg: o.arg,
    metavar: o.metavar,
    short: o.short,
    help: o.help,
    env: undefined,
  }));
  return [...own, ...fromTable];
}

/** The command's own flags as `parseArgs` options (the table's come from argsOptionsFor). */
export function ownArgsOptions(command: CommandUsage): ArgsOptions {
  const out: ArgsOptions = {};
  for (const o of command.own) {
    out[o.flag] =
      o.arg === "switch"
        ? { type: "boolean" }
        : { type: "string", ...(o.arg === "list" ? { multiple: true } : {}) };
    if (o.short !== undefined)
      out[o.flag] = { ...out[o.flag], short: o.short } as ArgsOptions[string];
  }
  return out;
}

/** The "Options:" lines of a command's help: `  -H, --header 'Name: value'  help [$ENV]`. */
export function optionLines(command: CommandUsage): string {
  const rows = [
    ...commandFlags(command).map((f) => ({
      left: `${f.short === undefined ? "    " : `-${f.short}, `}--${f.flag}${f.metavar === undefined ? "" : ` ${f.metavar}`}`,
      help: `${f.help}${f.env === undefined ? "" : ` [$${f.env}]`}`,
    })),
    { left: "-h, --help", help: "this help" },
  ];
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return rows.map((r) => `  ${r.left.padEnd(width)}${r.help}`).join("\n");
}
