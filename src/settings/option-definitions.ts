import type { LogFormat, LogLevel } from "../core/logger.js";
import {
  DEFAULT_BODIES_PER_SOURCE,
  DEFAULT_BODY_BUDGET,
  DEFAULT_JOURNAL_FILTERED_MAX,
  DEFAULT_MAX_BODY,
  DEFAULT_RETENTION_MS,
} from "./defaults.js";
import {
  parseAdminAddrValue,
  parseCountValue,
  parseOptionalSizeValue,
  parseDurationValue,
  parseHostListValue,
  parseLogFormatValue,
  parseLogLevelValue,
  parseMaxBodyValue,
  parseOnOffValue,
  parsePortValue,
  parseSinkKindValue,
  parseStoreValue,
  parseTextValue,
  parseEnterpriseHostsValue,
  parseHttpAllowValue,
} from "./parse-values.js";
import {
  parseHeaderListValue,
  parseSamplerArgValue,
  parseSamplerValue,
  parseTraceUrlValue,
  parseUrlValue,
  type SamplerName,
} from "./parse-tracing-values.js";
import type { AdminAddress, StoreSettings } from "./types.js";

/**
 * One option: the flag (without `--`) and/or the environment variable that set it, how its text
 * is read, its default and its help. A flag beats the variable; an empty variable counts as unset.
 */
export interface TextOption<T> {
  readonly arg: "text";
  readonly flag: string | undefined;
  readonly env: string | undefined;
  /** The noun of an error: `invalid port "x" (--port): …`. */
  readonly what: string;
  /** The placeholder in usage lines: `--port N`. */
  readonly metavar: string;
  /** The text → the value; throws SettingProblem saying what to write instead. */
  readonly parse: (text: string) => T;
  readonly default: T;
  readonly help: string;
  /** The value is a secret: no error, log line or page shows it. */
  readonly secret: boolean;
}

/** A repeatable flag (`--config A --config kubernetes`), without an environment variable. */
export interface ListOption {
  readonly arg: "list";
  readonly flag: string;
  readonly env: undefined;
  readonly metavar: string;
  readonly default: readonly string[];
  readonly help: string;
  readonly secret: false;
}

/** A flag without a value (`--all-listeners`). */
export interface SwitchOption {
  readonly arg: "switch";
  readonly flag: string;
  readonly env: undefined;
  readonly default: boolean;
  readonly help: string;
  readonly secret: false;
}

export type OptionDefinition = TextOption<unknown> | ListOption | SwitchOption;

function text<T>(
  o: Omit<TextOption<T>, "arg" | "secret" | "flag" | "env"> & {
    flag?: string;
    env?: string;
    secret?: boolean;
  },
): TextOption<T> {
  return {
    arg: "text",
    flag: o.flag,
    env: o.env,
    what: o.what,
    metavar: o.metavar,
    parse: o.parse,
    default: o.default,
    help: o.help,
    secret: o.secret ?? false,
  };
}

/** Every option of `hookline serve` and the parts replay and dry-run share: one entry each. */
export const OPTIONS = {
  config: {
    arg: "list",
    flag: "config",
    env: undefined,
    metavar: "DIR|kubernetes",
    default: ["examples/config"],
    help: "a config directory, `kubernetes` (the cluster's triggers.tekton.dev resources), or both",
    secret: false,
  } satisfies ListOption,
  allListeners: {
    arg: "switch",
    flag: "all-listeners",
    env: undefined,
    default: false,
    help: "with --config kubernetes: serve every EventListener, not only those annotated hookline.dev/serve",
    secret: false,
  } satisfies SwitchOption,
  port: text<number>({
    what: "port",
    flag: "port",
    env: "PORT",
    metavar: "N",
    parse: parsePortValue,
    default: 8080,
    help: "listener port (default 8080)",
  }),
  host: text<string | undefined>({
    what: "host",
    flag: "host",
    metavar: "ADDR",
    parse: parseTextValue,
    default: undefined,
    help: "the address the listener port binds (default: every interface)",
  }),
  out: text<string>({
    what: "output directory",
    flag: "out",
    metavar: "DIR",
    parse: parseTextValue,
    default: "./out",
    help: "where the local sink writes resources (default ./out)",
  }),
  sink: text<"local" | "kubernetes">({
    what: "sink",
    flag: "sink",
    env: "HOOKLINE_SINK",
    metavar: "local|kubernetes",
    parse: parseSinkKindValue,
    default: "local",
    help: "`local` (default: YAML files under --out) or `kubernetes`",
  }),
  store: text<StoreSettings>({
    what: "store",
    flag: "store",
    env: "HOOKLINE_STORE",
    metavar: "STORE",
    parse: parseStoreValue,
    default: parseStoreValue(""),
    help: "the journal: an SQLite file (default data/hookline.db), postgres://… or memory",
  }),
  secrets: text<string | undefined>({
    what: "secrets directory",
    flag: "secrets",
    env: "HOOKLINE_SECRETS_DIR",
    metavar: "DIR",
    parse: parseTextValue,
    default: undefined,
    help: "a directory laid out like a mounted Secret: DIR/<secretName>/<secretKey>",
  }),
  maxBody: text<number>({
    what: "body limit",
    flag: "max-body",
    env: "HOOKLINE_MAX_BODY",
    metavar: "SIZE",
    parse: parseMaxBodyValue,
    default: DEFAULT_MAX_BODY,
    help: "body limit, e.g. 3MiB (default 25MiB)",
  }),
  bodyBudget: text<number>({
    what: "body budget",
    env: "HOOKLINE_BODY_BUDGET",
    metavar: "SIZE",
    parse: parseMaxBodyValue,
    default: DEFAULT_BODY_BUDGET,
    help: "bytes of bodies held at once by requests not yet answered (default 64MiB); past it 503",
  }),
  bodiesPerSource: text<number>({
    what: "bodies per source address",
    env: "HOOKLINE_BODIES_PER_SOURCE",
    metavar: "N",
    parse: parseCountValue,
    default: DEFAULT_BODIES_PER_SOURCE,
    help: "bodies being received at once from one address (default 8; 0: no cap)",
  }),
  journalMax: text<number | undefined>({
    what: "journal size cap",
    env: "HOOKLINE_JOURNAL_MAX",
    metavar: "SIZE",
    parse: parseOptionalSizeValue,
    default: undefined,
    help: "the journal's total size past which requests nobody authenticated are not journaled (default none)",
  }),
  journalFilteredMax: text<number>({
    what: "filtered events' budget",
    env: "HOOKLINE_JOURNAL_FILTERED_MAX",
    metavar: "SIZE",
    parse: parseMaxBodyValue,
    default: DEFAULT_JOURNAL_FILTERED_MAX,
    help: "filtered events' bodies kept at most; the oldest are evicted past it (default 256MiB)",
  }),
  admin: text<AdminAddress>({
    what: "admin address",
    flag: "admin",
    env: "HOOKLINE_ADMIN_ADDR",
    metavar: "HOST:PORT",
    parse: parseAdminAddrValue,
    default: { host: "127.0.0.1", port: 9090 },
    help: "the admin port (default 127.0.0.1:9090)",
  }),
  adminToken: text<string | undefined>({
    what: "admin token",
    env: "HOOKLINE_ADMIN_TOKEN",
    metavar: "TOKEN",
    parse: parseTextValue,
    default: undefined,
    help: "bearer token for the admin port; required when it is not on loopback",
    secret: true,
  }),
  adminHosts: text<readonly string[]>({
    what: "admin host list",
    env: "HOOKLINE_ADMIN_HOSTS",
    metavar: "HOSTS",
    parse: parseHostListValue,
    default: [],
    help: "host names the admin port may be reached by (comma list; .example.com = that domain)",
  }),
  retention: text<number>({
    what: "retention",
    flag: "retention",
    env: "HOOKLINE_RETENTION",
    metavar: "DURATION",
    parse: parseDurationValue,
    default: DEFAULT_RETENTION_MS,
    help: "how long events are kept once their deliveries are finished (default 7d)",
  }),
  interceptors: text<string | undefined>({
    what: "interceptors directory",
    flag: "interceptors",
    env: "HOOKLINE_INTERCEPTORS_DIR",
    metavar: "DIR",
    parse: parseTextValue,
    default: undefined,
    help: "a folder of interceptor plug-ins",
  }),
  listener: text<string | undefined>({
    what: "default EventListener",
    env: "HOOKLINE_LISTENER",
    metavar: "NS/NAME",
    parse: parseTextValue,
    default: undefined,
    help: "the default EventListener for paths other than /listeners/<ns>/<name>",
  }),
  logLevel: text<LogLevel>({
    what: "log level",
    env: "HOOKLINE_LOG_LEVEL",
    metavar: "LEVEL",
    parse: parseLogLevelValue,
    default: "info",
    help: "error, warn, info (default for serve), debug",
  }),
  logFormat: text<LogFormat | undefined>({
    what: "log format",
    env: "HOOKLINE_LOG_FORMAT",
    metavar: "FORMAT",
    parse: parseLogFormatValue,
    default: undefined,
    help: "json (default when the log's stream is not a terminal) or text (one readable line, colour on a terminal)",
  }),
  tlsCert: text<string | undefined>({
    what: "TLS certificate",
    env: "TLS_CERT",
    metavar: "FILE|PEM",
    parse: parseTextValue,
    default: undefined,
    help: "with TLS_KEY: serve the listener port over TLS (a PEM file path, or the PEM itself)",
  }),
  tlsKey: text<string | undefined>({
    what: "TLS key",
    env: "TLS_KEY",
    metavar: "FILE|PEM",
    parse: parseTextValue,
    default: undefined,
    help: "the private key for TLS_CERT (a PEM file path, or the PEM itself)",
    // The value may be the key itself.
    secret: true,
  }),
  githubApiUrl: text<string>({
    what: "GitHub API URL",
    env: "HOOKLINE_GITHUB_API_URL",
    metavar: "URL",
    parse: parseTextValue,
    default: "https://api.github.com",
    help: "the GitHub API for addChangedFiles/githubOwners",
  }),
  githubEnterpriseHosts: text<readonly string[] | "*">({
    what: "GitHub Enterprise host list",
    env: "HOOKLINE_GITHUB_ENTERPRISE_HOSTS",
    metavar: "HOSTS",
    parse: parseEnterpriseHostsValue,
    default: [],
    help: "hosts whose X-Github-Enterprise-Host is followed (comma list; * = any, as Tekton)",
  }),
  httpAllow: text<readonly string[] | undefined>({
    what: "HTTP action allow-list",
    env: "HOOKLINE_HTTP_ALLOW",
    metavar: "HOSTS",
    parse: parseHttpAllowValue,
    default: undefined,
    help: "hosts HTTPRequest deliveries may call (comma list of host, host:port, *.domain); listed hosts may be loopback",
  }),
  gitlabApiUrl: text<string | undefined>({
    what: "GitLab API URL",
    env: "HOOKLINE_GITLAB_API_URL",
    metavar: "URL",
    parse: parseTextValue,
    default: undefined,
    help: "the GitLab API for the gitlab interceptor's addChangedFiles (default: the payload's host)",
  }),
  kubeconfig: text<string | undefined>({
    what: "kubeconfig",
    env: "KUBECONFIG",
    metavar: "FILES",
    parse: parseTextValue,
    default: undefined,
    help: "kubeconfig files for --sink kubernetes and --config kubernetes (as kubectl)",
  }),
  kubeEvents: text<boolean>({
    what: "Kubernetes Events switch",
    env: "HOOKLINE_KUBE_EVENTS",
    metavar: "on|off",
    parse: parseOnOffValue,
    default: true,
    help: "with --sink kubernetes or --config kubernetes: post Kubernetes Events on EventListeners and created resources (default on)",
  }),
  otlpEndpoint: text<string | undefined>({
    what: "OTLP endpoint",
    env: "OTEL_EXPORTER_OTLP_ENDPOINT",
    metavar: "URL",
    parse: parseUrlValue,
    default: undefined,
    help: "tracing: the OTLP/HTTP collector; spans go to URL/v1/traces (default: tracing off)",
  }),
  otlpTracesEndpoint: text<string | undefined>({
    what: "OTLP traces endpoint",
    env: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    metavar: "URL",
    parse: parseUrlValue,
    default: undefined,
    help: "tracing: the OTLP/HTTP traces URL, used as given (beats OTEL_EXPORTER_OTLP_ENDPOINT)",
  }),
  otlpHeaders: text<Readonly<Record<string, string>>>({
    what: "OTLP headers",
    env: "OTEL_EXPORTER_OTLP_HEADERS",
    metavar: "K=V,…",
    parse: parseHeaderListValue,
    default: {},
    help: "headers sent to the collector, e.g. an API key (key=value, comma list)",
    secret: true,
  }),
  serviceName: text<string>({
    what: "service name",
    env: "OTEL_SERVICE_NAME",
    metavar: "NAME",
    parse: parseTextValue,
    default: "hookline",
    help: "the traces' service.name (default hookline)",
  }),
  tracesSampler: text<SamplerName>({
    what: "traces sampler",
    env: "OTEL_TRACES_SAMPLER",
    metavar: "SAMPLER",
    parse: parseSamplerValue,
    default: "parentbased_always_on",
    help: "always_on, always_off, traceidratio, parentbased_* (default parentbased_always_on)",
  }),
  tracesSamplerArg: text<number>({
    what: "traces sampler argument",
    env: "OTEL_TRACES_SAMPLER_ARG",
    metavar: "RATIO",
    parse: parseSamplerArgValue,
    default: 1,
    help: "the ratio of the traceidratio samplers, 0 to 1 (default 1)",
  }),
  traceUrl: text<string | undefined>({
    what: "trace URL template",
    env: "HOOKLINE_TRACE_URL",
    metavar: "URL",
    parse: parseTraceUrlValue,
    default: undefined,
    help: "the event page links to this trace page, {traceId} replaced",
  }),
} as const;

export type OptionName = keyof typeof OPTIONS;

/** The environment variables of the table, in its order (the usage text's list). */
export function environmentVariables(): string[] {
  return Object.values(OPTIONS).flatMap((o: OptionDefinition) =>
    o.env === undefined ? [] : [o.env],
  );
}
