import type { LogFormat, LogLevel } from "../core/logger.js";

/** Where the config comes from: `--config DIR`, `--config kubernetes`, or both. */
export type ConfigSourceSettings =
  | { kind: "dir"; dir: string }
  | { kind: "cluster"; allListeners: boolean }
  | { kind: "both"; dir: string; allListeners: boolean };

/** Where resources are created (`--sink` / HOOKLINE_SINK). */
export type SinkSettings = { kind: "local"; outDir: string } | { kind: "kubernetes" };

/**
 * TLS on the listener port (TLS_CERT and TLS_KEY, both or neither). Each value is a PEM file path
 * or the PEM itself (a Secret key put straight into the env var, as Tekton's example does).
 */
export type TlsSettings = { kind: "none" } | { kind: "files"; cert: string; key: string };

/** The journal (`--store` / HOOKLINE_STORE). */
export type StoreSettings =
  { kind: "memory" } | { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

export interface AdminAddress {
  host: string;
  port: number;
}

export interface AdminSettings {
  /** `--admin` / HOOKLINE_ADMIN_ADDR (default 127.0.0.1:9090). */
  addr: AdminAddress;
  /** HOOKLINE_ADMIN_TOKEN; undefined when unset or empty (required off loopback). */
  token: string | undefined;
  /** HOOKLINE_ADMIN_HOSTS: Host names the admin port answers beside localhost and IPs. */
  hosts: readonly string[];
}

/** What the built-in interceptors that call a provider API are told (read once, here). */
export interface InterceptorSettings {
  github: {
    /** HOOKLINE_GITHUB_API_URL (default https://api.github.com). */
    apiUrl: string;
    /** HOOKLINE_GITHUB_ENTERPRISE_HOSTS: hosts `X-Github-Enterprise-Host` may name, or any. */
    enterpriseHosts: readonly string[] | "*";
  };
  gitlab: {
    /** HOOKLINE_GITLAB_API_URL; undefined: the host of the payload's `project.web_url`. */
    apiUrl: string | undefined;
  };
}

/** Settings every command that runs the pipeline shares (serve, replay, dry-run). */
export interface PipelineSettings {
  /** HOOKLINE_LOG_LEVEL (per-command default). */
  logLevel: LogLevel;
  /** HOOKLINE_LOG_FORMAT; undefined: json, or text when the log's stream is a terminal. */
  logFormat: LogFormat | undefined;
  /** `--secrets` / HOOKLINE_SECRETS_DIR: a directory laid out like mounted Secrets. */
  secretsDir: string | undefined;
  /** `--interceptors` / HOOKLINE_INTERCEPTORS_DIR: a folder of interceptor plug-ins. */
  interceptorsDir: string | undefined;
  /** HOOKLINE_LISTENER: the EventListener for paths other than /listeners/<ns>/<name>. */
  defaultListener: string | undefined;
  interceptors: InterceptorSettings;
  /** KUBECONFIG: kubeconfig files (path-list); undefined: ~/.kube/config or the service account. */
  kubeconfig: string | undefined;
  /** HOOKLINE_HTTP_ALLOW: the hosts HTTPRequest deliveries may call; undefined: no list. */
  httpAllow: readonly string[] | undefined;
}

/** How traces are sampled (OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, as the SDK spec names them). */
export type SamplerSettings =
  | { kind: "always_on" }
  | { kind: "always_off" }
  | { kind: "traceidratio"; ratio: number }
  | { kind: "parentbased_always_on" }
  | { kind: "parentbased_always_off" }
  | { kind: "parentbased_traceidratio"; ratio: number };

/**
 * Tracing: off unless an OTLP endpoint is set (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, or
 * OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`); spans go there as OTLP/HTTP JSON.
 */
export type TracingSettings =
  | { kind: "off" }
  | {
      kind: "otlp";
      /** The traces URL the exporter POSTs to. */
      url: string;
      /** OTEL_EXPORTER_OTLP_HEADERS (an API key, often): secret, never shown. */
      headers: Readonly<Record<string, string>>;
      /** OTEL_SERVICE_NAME (default `hookline`). */
      serviceName: string;
      sampler: SamplerSettings;
    };

/** Everything `hookline serve` runs with: parsed once, at the edge, by `parseSettings`. */
export interface Settings extends PipelineSettings {
  config: ConfigSourceSettings;
  sink: SinkSettings;
  store: StoreSettings;
  tls: TlsSettings;
  admin: AdminSettings;
  /** `--port` / PORT (default 8080; 0 picks a free port). */
  port: number;
  /** `--host`; undefined: every interface (Node's default). */
  host: string | undefined;
  /** `--max-body` / HOOKLINE_MAX_BODY. */
  maxBodyBytes: number;
  /** HOOKLINE_BODY_BUDGET: bytes of bodies held at once by requests not yet answered. */
  bodyBudgetBytes: number;
  /** HOOKLINE_BODIES_PER_SOURCE: bodies being received at once per source address (0: no cap). */
  bodiesPerSource: number;
  /** HOOKLINE_JOURNAL_MAX: past it, requests nobody authenticated are not journaled; undefined: no cap. */
  journalMaxBytes: number | undefined;
  /** HOOKLINE_JOURNAL_FILTERED_MAX: filtered events' bodies past it are evicted, oldest first. */
  journalFilteredMaxBytes: number;
  /** `--retention` / HOOKLINE_RETENTION: finished events older than this are pruned. */
  retentionMs: number;
  tracing: TracingSettings;
  /** HOOKLINE_TRACE_URL: a trace's page, `{traceId}` replaced (the event page links to it). */
  traceUrl: string | undefined;
  /**
   * HOOKLINE_KUBE_EVENTS: Kubernetes Events for `kubectl describe`, when the Kubernetes sink or
   * the cluster config source is used (off otherwise, whatever this says).
   */
  kubeEvents: boolean;
  /** Watch the config directory and reload it on change; SIGHUP always reloads. */
  watchConfig: boolean;
  /** How long config files (or cluster objects) must be quiet before a change is loaded. */
  reloadDebounceMs: number;
}
