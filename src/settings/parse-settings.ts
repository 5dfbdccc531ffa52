import { parseArgs } from "node:util";
import type { LogLevel } from "../core/logger.js";
import { DEFAULT_DEBOUNCE_MS } from "../config/watch-config-dir.js";
import { nearestName } from "../core/nearest-name.js";
import { OPTIONS, type OptionName } from "./option-definitions.js";
import {
  argsOptionsFor,
  type ArgsOptions,
  readList,
  readOption,
  readSwitch,
  settingsError,
  type Environment,
  type FlagValues,
} from "./read-option.js";
import { samplerSettings } from "./parse-tracing-values.js";
import type {
  ConfigSourceSettings,
  PipelineSettings,
  Settings,
  SinkSettings,
  TlsSettings,
  TracingSettings,
} from "./types.js";

/** The flags of `hookline serve`. */
export const SERVE_FLAGS: readonly OptionName[] = [
  "config",
  "allListeners",
  "port",
  "host",
  "out",
  "sink",
  "store",
  "secrets",
  "maxBody",
  "admin",
  "retention",
  "interceptors",
];

/**
 * `hookline serve`'s arguments (after `serve`) and environment → its Settings: the one place they
 * are read. A flag beats its variable; an empty variable counts as unset. Throws a HooklineError
 * `HL_SETTINGS_INVALID` naming the flag or variable (and the value, unless it is a secret).
 */
export function parseSettings(argv: readonly string[], env: Environment): Settings {
  const flags = parseFlags(argv, SERVE_FLAGS).values;
  return {
    ...parsePipelineSettings(flags, env, "info"),
    config: parseConfigSource(
      readList(OPTIONS.config, flags),
      readSwitch(OPTIONS.allListeners, flags),
    ),
    sink: parseSink(flags, env),
    store: readOption(OPTIONS.store, flags, env),
    tls: parseTls(readOption(OPTIONS.tlsCert, flags, env), readOption(OPTIONS.tlsKey, flags, env)),
    admin: {
      addr: readOption(OPTIONS.admin, flags, env),
      token: readOption(OPTIONS.adminToken, flags, env),
      hosts: readOption(OPTIONS.adminHosts, flags, env),
    },
    port: readOption(OPTIONS.port, flags, env),
    host: readOption(OPTIONS.host, flags, env),
    maxBodyBytes: readOption(OPTIONS.maxBody, flags, env),
    bodyBudgetBytes: readOption(OPTIONS.bodyBudget, flags, env),
    bodiesPerSource: readOption(OPTIONS.bodiesPerSource, flags, env),
    journalMaxBytes: readOption(OPTIONS.journalMax, flags, env),
    journalFilteredMaxBytes: readOption(OPTIONS.journalFilteredMax, flags, env),
    retentionMs: readOption(OPTIONS.retention, flags, env),
    tracing: parseTracing(flags, env),
    traceUrl: readOption(OPTIONS.traceUrl, flags, env),
    kubeEvents: readOption(OPTIONS.kubeEvents, flags, env),
    watchConfig: true,
    reloadDebounceMs: DEFAULT_DEBOUNCE_MS,
  };
}

/**
 * `parseArgs` over the table's flags and a command's own (`own`); unknown flags are refused, and
 * positionals unless `allowPositionals`. Throws HL_SETTINGS_INVALID.
 */
export function parseFlags(
  argv: readonly string[],
  names: readonly OptionName[],
  own: ArgsOptions = {},
  allowPositionals = false,
): { values: FlagValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...argsOptionsFor(names), ...own },
      allowPositionals,
      strict: true,
    });
    return { values, positionals };
  } catch (err) {
    throw settingsError(
      "arguments",
      describeArgsError(err, Object.keys({ ...argsOptionsFor(names), ...own })),
    );
  }
}

/**
 * `parseArgs`'s complaint in our words: an unknown flag is named with the nearest one the command
 * takes ("did you mean"); anything else keeps node's message.
 */
function describeArgsError(err: unknown, flags: readonly string[]): string {
  const e = err as NodeJS.ErrnoException;
  const unknown = /^Unknown option '--([^'=]+)'/.exec(e.message)?.[1];
  if (e.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION" || unknown === undefined) return e.message;
  const meant = nearestName(unknown, flags);
  return `unknown option "--${unknown}"${meant === undefined ? "" : ` — did you mean "--${meant}"?`}`;
}

/**
 * The settings serve, replay and dry-run share: log level (each command has its own default),
 * secrets and plug-in directories, the default EventListener, and what the built-in interceptors
 * and the Kubernetes client are told.
 */
export function parsePipelineSettings(
  flags: FlagValues,
  env: Environment,
  defaultLogLevel: LogLevel,
): PipelineSettings {
  return {
    logLevel: readOption(OPTIONS.logLevel, flags, env, defaultLogLevel),
    logFormat: readOption(OPTIONS.logFormat, flags, env),
    secretsDir: readOption(OPTIONS.secrets, flags, env),
    interceptorsDir: readOption(OPTIONS.interceptors, flags, env),
    defaultListener: readOption(OPTIONS.listener, flags, env),
    interceptors: {
      github: {
        apiUrl: readOption(OPTIONS.githubApiUrl, flags, env),
        enterpriseHosts: readOption(OPTIONS.githubEnterpriseHosts, flags, env),
      },
      gitlab: { apiUrl: readOption(OPTIONS.gitlabApiUrl, flags, env) },
    },
    kubeconfig: readOption(OPTIONS.kubeconfig, flags, env),
    httpAllow: readOption(OPTIONS.httpAllow, flags, env),
  };
}

/** `--sink` / HOOKLINE_SINK, with `--out` for the local sink. */
export function parseSink(flags: FlagValues, env: Environment): SinkSettings {
  return readOption(OPTIONS.sink, flags, env) === "kubernetes"
    ? { kind: "kubernetes" }
    : { kind: "local", outDir: readOption(OPTIONS.out, flags, env) };
}

/** `--config` (repeatable): one directory at most, and/or `kubernetes`. */
export function parseConfigSource(
  values: readonly string[],
  allListeners: boolean,
): ConfigSourceSettings {
  const dirs = values.filter((c) => c !== "kubernetes");
  const fromCluster = dirs.length < values.length;
  if (dirs.length > 1)
    throw settingsError(
      "--config",
      `one config directory at most (and/or --config kubernetes), not ${dirs.join(", ")}`,
    );
  const [dir] = dirs;
  if (dir === "") throw settingsError("--config", "--config needs a directory or kubernetes");
  if (allListeners && !fromCluster)
    throw settingsError("--all-listeners", "--all-listeners goes with --config kubernetes");
  if (dir === undefined) return { kind: "cluster", allListeners };
  return fromCluster ? { kind: "both", dir, allListeners } : { kind: "dir", dir };
}

/**
 * Tracing is on when an OTLP endpoint is set: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else
 * OTEL_EXPORTER_OTLP_ENDPOINT with `v1/traces` appended (the OTLP exporter spec's rule).
 */
export function parseTracing(flags: FlagValues, env: Environment): TracingSettings {
  const traces = readOption(OPTIONS.otlpTracesEndpoint, flags, env);
  const base = readOption(OPTIONS.otlpEndpoint, flags, env);
  const url = traces ?? (base === undefined ? undefined : `${base.replace(/\/+$/, "")}/v1/traces`);
  if (url === undefined) return { kind: "off" };
  return {
    kind: "otlp",
    url,
    headers: readOption(OPTIONS.otlpHeaders, flags, env),
    serviceName: readOption(OPTIONS.serviceName, flags, env),
    sampler: samplerSettings(
      readOption(OPTIONS.tracesSampler, flags, env),
      readOption(OPTIONS.tracesSamplerArg, flags, env),
    ),
  };
}

/** TLS_CERT and TLS_KEY: both or neither. */
export function parseTls(cert: string | undefined, key: string | undefined): TlsSettings {
  if (cert === undefined && key === undefined) return { kind: "none" };
  if (cert === undefined || key === undefined) {
    const missing = cert === undefined ? "TLS_CERT" : "TLS_KEY";
    throw settingsError(
      missing,
      `TLS needs both TLS_CERT and TLS_KEY; only ${cert === undefined ? "TLS_KEY" : "TLS_CERT"} is set`,
    );
  }
  return { kind: "files", cert, key };
}
