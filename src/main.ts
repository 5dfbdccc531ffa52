import type { ClusterConfigOptions } from "./config/cluster/cluster-config-source.js";
import { DEFAULT_DEBOUNCE_MS } from "./config/watch-config-dir.js";
import type { Logger } from "./core/logger.js";
import { createRuntime, type Running } from "./runtime/create-runtime.js";
import {
  DEFAULT_BODIES_PER_SOURCE,
  DEFAULT_BODY_BUDGET,
  DEFAULT_JOURNAL_FILTERED_MAX,
  DEFAULT_MAX_BODY,
  DEFAULT_RETENTION_MS,
} from "./settings/defaults.js";
import { OPTIONS } from "./settings/option-definitions.js";
import { DEFAULT_ADMIN_ADDR, parseAdminAddr } from "./settings/parse-admin-addr.js";
import { parseTls } from "./settings/parse-settings.js";
import { parseStoreValue } from "./settings/parse-values.js";
import type { ConfigSourceSettings, Settings } from "./settings/types.js";

export type { Running } from "./runtime/create-runtime.js";
export { DEFAULT_ADMIN_ADDR, DEFAULT_MAX_BODY, DEFAULT_RETENTION_MS, parseAdminAddr };

/**
 * `serve`'s options as the tests and embedders have written them since before the settings
 * parser: an adapter over `createRuntime(settings, io)`. It reads no environment: what is not
 * given takes the default (no TLS, the built-in interceptors' API defaults).
 */
export interface ServeOptions {
  /** The config directory; "" for none (only with `cluster`: `--config kubernetes` alone). */
  configDir: string;
  /**
   * `--config kubernetes`: also read the triggers.tekton.dev resources from the cluster and watch
   * them (with `configDir`, both: the cluster's objects replace the directory's on a clash).
   */
  cluster?: ClusterConfigOptions | undefined;
  /** HOOKLINE_STORE: a PostgreSQL URL, `memory`, or an SQLite file (default ./data/hookline.db). */
  store: string | undefined;
  /** HOOKLINE_ADMIN_ADDR: `host:port` of the admin port (default 127.0.0.1:9090). */
  adminAddr?: string | undefined;
  /** HOOKLINE_ADMIN_TOKEN: required when the admin port is not on loopback. */
  adminToken?: string | undefined;
  /** HOOKLINE_ADMIN_HOSTS: host names the admin port may be reached by (its `Host` header). */
  adminHosts?: readonly string[] | undefined;
  /** Events older than this are pruned once their deliveries are finished (default 7 days). */
  retentionMs?: number;
  port: number;
  host?: string;
  outDir: string;
  /** HOOKLINE_SINK / `--sink`: where resources are created (default `local`, into `outDir`). */
  sink?: "local" | "kubernetes";
  secretsDir: string | undefined;
  maxBodyBytes: number;
  /** HOOKLINE_BODY_BUDGET: bytes of bodies held at once by requests not yet answered (64 MiB). */
  bodyBudgetBytes?: number | undefined;
  /** HOOKLINE_BODIES_PER_SOURCE: bodies being received at once per source address (8; 0: no cap). */
  bodiesPerSource?: number | undefined;
  defaultListener: string | undefined;
  /** HOOKLINE_INTERCEPTORS_DIR / `--interceptors`: a folder of interceptor plug-ins. */
  interceptorsDir?: string | undefined;
  /** TLS on the listener port: TLS_CERT and TLS_KEY (file paths or PEMs), both or neither. */
  tls?: { cert?: string | undefined; key?: string | undefined } | undefined;
  /** Watch the config directory and reload it on change (default true); SIGHUP always reloads. */
  watchConfig?: boolean;
  /** How long config files must be quiet before a change is loaded (default 200 ms). */
  reloadDebounceMs?: number;
  /** HOOKLINE_HTTP_ALLOW: the hosts HTTPRequest deliveries may call (listed ones may be loopback). */
  httpAllow?: readonly string[] | undefined;
  /** HOOKLINE_KUBE_EVENTS (default true): Kubernetes Events, with a Kubernetes sink or config. */
  kubeEvents?: boolean;
  log: Logger;
}

/** Builds and starts hookline from ServeOptions (see `createRuntime`). */
export async function serve(options: ServeOptions): Promise<Running> {
  const { allListeners, ...clusterTuning } = options.cluster ?? {};
  return createRuntime(toSettings(options, allListeners ?? false), {
    log: options.log,
    cluster: clusterTuning,
  });
}

function toSettings(options: ServeOptions, allListeners: boolean): Settings {
  const config: ConfigSourceSettings =
    options.cluster === undefined
      ? { kind: "dir", dir: options.configDir }
      : options.configDir === ""
        ? { kind: "cluster", allListeners }
        : { kind: "both", dir: options.configDir, allListeners };
  return {
    config,
    sink:
      options.sink === "kubernetes"
        ? { kind: "kubernetes" }
        : { kind: "local", outDir: options.outDir },
    store: parseStoreValue(options.store ?? ""),
    tls: parseTls(options.tls?.cert, options.tls?.key),
    admin: {
      addr: parseAdminAddr(options.adminAddr ?? DEFAULT_ADMIN_ADDR),
      token: options.adminToken === "" ? undefined : options.adminToken,
      hosts: options.adminHosts ?? [],
    },
    port: options.port,
    host: options.host,
    maxBodyBytes: options.maxBodyBytes,
    bodyBudgetBytes: options.bodyBudgetBytes ?? DEFAULT_BODY_BUDGET,
    bodiesPerSource: options.bodiesPerSource ?? DEFAULT_BODIES_PER_SOURCE,
    journalMaxBytes: undefined,
    journalFilteredMaxBytes: DEFAULT_JOURNAL_FILTERED_MAX,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    tracing: { kind: "off" },
    traceUrl: undefined,
    kubeEvents: options.kubeEvents ?? true,
    watchConfig: options.watchConfig ?? true,
    reloadDebounceMs: options.reloadDebounceMs ?? DEFAULT_DEBOUNCE_MS,
    logLevel: "info",
    logFormat: "json",
    secretsDir: options.secretsDir,
    interceptorsDir: options.interceptorsDir,
    defaultListener: options.defaultListener,
    interceptors: {
      github: {
        apiUrl: OPTIONS.githubApiUrl.default,
        enterpriseHosts: OPTIONS.githubEnterpriseHosts.default,
      },
      gitlab: { apiUrl: undefined },
    },
    kubeconfig: undefined,
    httpAllow: options.httpAllow,
  };
}
