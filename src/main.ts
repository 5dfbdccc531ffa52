import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createSecureContext } from "node:tls";
import { createApp } from "./app.js";
import {
  CONNECTIONS_CHECK_MS,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_BODY,
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from "./settings/defaults.js";
import type { CompiledConfig } from "./config/compiled.js";
import type { ClusterConfigOptions } from "./config/cluster/cluster-config-source.js";
import { formatIssue, hasDocumentErrors, loadConfigDir } from "./config/load-config.js";
import { createSecretResolver } from "./config/secret-resolver.js";
import { createReloadCoordinator } from "./config/reload-coordinator.js";
import { watchConfigDir } from "./config/watch-config-dir.js";
import type { SecretResolver } from "./interceptors/types.js";
import { createInterceptorRegistry } from "./interceptors/plugins/create-interceptor-registry.js";
import type { Logger } from "./core/logger.js";
import { createAdminApp } from "./admin/create-admin-app.js";
import { isLoopback } from "./admin/auth.js";
import { createMetrics } from "./admin/metrics.js";
import { replayEvent } from "./listener/replay-event.js";
import { createDeliveryWorker } from "./delivery/delivery-worker.js";
import { createJournal, describeStore } from "./store/create-journal.js";
import { createLocalSink } from "./sinks/local/local-sink.js";

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;

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
  /**
   * HOOKLINE_ADMIN_HOSTS: host names the admin port may be reached by (its `Host` header), beside
   * `localhost` and IP addresses; a leading "." allows a whole domain. Others get 421.
   */
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
  /**
   * TLS on the listener port, as Tekton's EventListener: TLS_CERT and TLS_KEY, each a PEM file
   * path (or the PEM itself, as a Secret key in an env var gives it). Both or neither. When the
   * option is absent, TLS_CERT and TLS_KEY are read from the environment.
   */
  tls?: { cert?: string | undefined; key?: string | undefined } | undefined;
  /** Watch the config directory and reload it on change (default true); SIGHUP always reloads. */
  watchConfig?: boolean;
  /** How long config files must be quiet before a change is loaded (default 200 ms). */
  reloadDebounceMs?: number;
  log: Logger;
}

export interface Running {
  server: Server;
  port: number;
  adminPort: number;
  /** The config in force now (a reload swaps it). */
  readonly config: CompiledConfig;
  /** Reloads the config directory as SIGHUP does; true when the new config is in force. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Loads the config, builds the listener's dependencies and listens. Refuses to start on a
 * document error; reference errors are logged as warnings and fail their trigger per request.
 */
export async function serve(options: ServeOptions): Promise<Running> {
  const { log } = options;
  const registry = await createInterceptorRegistry(options.interceptorsDir);
  // The Kubernetes client is loaded only for `--config kubernetes` (as for the sink, below).
  const clusterModule =
    options.cluster === undefined
      ? undefined
      : await import("./config/cluster/cluster-config-source.js");
  const cluster = await clusterModule?.startClusterConfig({
    debounceMs: options.reloadDebounceMs,
    ...options.cluster,
    log,
  });
  const load = (): Promise<CompiledConfig> =>
    clusterModule === undefined || cluster === undefined
      ? loadConfigDir(options.configDir, { registry })
      : clusterModule.loadConfigSources({
          dir: options.configDir === "" ? undefined : options.configDir,
          cluster,
          registry,
        });
  let config = await load();
  for (const issue of config.issues) {
    const line = formatIssue(issue);
    if (issue.severity === "note") log.debug("config note", { issue: line });
    else if (issue.class === "document") log.error("config error", { issue: line });
    else log.warn("config warning", { issue: line });
  }
  if (hasDocumentErrors(config.issues)) {
    cluster?.close();
    if (options.configDir === "") {
      throw new Error(
        "the configuration read from the cluster has errors (logged above, each naming its resource and field)",
      );
    }
    throw new Error(
      `the configuration in ${options.configDir} has errors; run \`hookline validate ${options.configDir}\` to list them`,
    );
  }
  const admin = parseAdminAddr(options.adminAddr ?? DEFAULT_ADMIN_ADDR);
  if (!isLoopback(admin.host) && (options.adminToken ?? "") === "") {
    throw new Error(
      `the admin port ${admin.host}:${admin.port} is not on loopback: set HOOKLINE_ADMIN_TOKEN to protect it`,
    );
  }
  const tls = await readListenerTls(options.tls ?? { cert: env("TLS_CERT"), key: env("TLS_KEY") });
  // The Kubernetes client is imported only when used: loading it costs ~0.6 s of start-up.
  // Made before the journal is opened: a missing kubeconfig stops `serve` with nothing to close.
  const sink =
    options.sink === "kubernetes"
      ? (await import("./sinks/kubernetes/kubernetes-sink.js")).createKubernetesSink({})
      : createLocalSink({ outDir: options.outDir });
  const journal = await createJournal(options.store);
  const metrics = createMetrics(journal);
  if (cluster !== undefined) metrics.countInvalidConfigObjects(() => cluster.invalidObjects());
  const worker = createDeliveryWorker({
    journal,
    sink,
    log,
    metrics,
  });
  // The config's own Secrets are part of the config: a reload swaps the resolver with it.
  let resolver = createSecretResolver({
    fromConfig: config.secrets,
    dir: options.secretsDir,
    cluster: cluster?.secrets,
  });
  const secrets: SecretResolver = { get: (ref, namespace) => resolver.get(ref, namespace) };
  const adminServer = createServer(
    createAdminApp({
      journal,
      metrics,
      log,
      token: options.adminToken,
      allowedHosts: options.adminHosts,
      replay: async (event) => {
        const result = await replayEvent(event, {
          config,
          secrets,
          log,
          deadlineMs: DEFAULT_DEADLINE_MS,
          journal,
        });
        worker.wake();
        return result;
      },
    }),
  );
  try {
    await listen(adminServer, admin.port, admin.host);
  } catch (err) {
    cluster?.close();
    await journal.close();
    throw err;
  }
  const app = createApp({
    config: () => config,
    secrets,
    journal,
    metrics,
    onRecorded: () => worker.wake(),
    log,
    defaultListener: options.defaultListener,
    maxBodyBytes: options.maxBodyBytes,
    ...(options.bodyBudgetBytes === undefined ? {} : { bodyBudgetBytes: options.bodyBudgetBytes }),
    ...(options.bodiesPerSource === undefined ? {} : { bodiesPerSource: options.bodiesPerSource }),
    deadlineMs: DEFAULT_DEADLINE_MS,
  });
  // Tekton's EventListener timeouts (TEKTON-SPEC §2.1), with room for a 25 MiB body. Node checks
  // headersTimeout only every connectionsCheckingInterval, read once at `listen` (set later, it is
  // ignored): given here, 10 s means 10–11 s, not up to 40 s (issue 11 item 9). A TLS handshake
  // is no HTTP yet, so it has a timeout of its own (Node's default is 120 s).
  const timeouts = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS + 5_000,
    keepAliveTimeout: 120_000,
    connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
  };
  const server: Server =
    tls === undefined
      ? createServer(timeouts, app)
      : createHttpsServer({ ...tls, ...timeouts, handshakeTimeout: HEADERS_TIMEOUT_MS }, app);
  try {
    await listen(server, options.port, options.host);
  } catch (err) {
    cluster?.close();
    adminServer.close();
    await journal.close();
    throw err;
  }
  const reloads = createReloadCoordinator({
    load,
    apply: (next) => {
      resolver = createSecretResolver({
        fromConfig: next.secrets,
        dir: options.secretsDir,
        cluster: cluster?.secrets,
      });
      config = next;
    },
    log,
    metrics,
  });
  const watcher = await watchConfigDir({
    dir: options.configDir,
    coordinator: reloads,
    log,
    watch: (options.watchConfig ?? true) && options.configDir !== "",
    ...(options.reloadDebounceMs === undefined ? {} : { debounceMs: options.reloadDebounceMs }),
  });
  // A change in the cluster is loaded with the same rule as a file change.
  cluster?.onChange(() => void reloads.reload("cluster change"));
  const onHangup = (): void => void reloads.reload("SIGHUP");
  process.on("SIGHUP", onHangup);
  // Only now that both ports are bound does work start: a process that cannot serve does not
  // claim deliveries either.
  worker.start();
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const prune = (): void => {
    journal
      .prune(new Date(Date.now() - retentionMs))
      .then((n) => n > 0 && log.info("journal pruned", { events: n }))
      .catch((err: unknown) =>
        log.error("journal prune failed", { error: (err as Error).message }),
      );
  };
  const pruneTimer = setInterval(prune, 3600_000);
  pruneTimer.unref();
  prune();

  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  log.info("listening", {
    port,
    tls: tls !== undefined,
    listeners: config.listeners.map((l) => `/listeners/${l.namespace}/${l.name}`),
    sink: sink.kind,
    out: options.outDir,
    store: describeStore(options.store),
    admin: `http://${admin.host}:${portOf(adminServer)}/ui/`,
    maxBodyBytes: options.maxBodyBytes,
  });
  return {
    server,
    port,
    adminPort: portOf(adminServer),
    get config() {
      return config;
    },
    reload: () => reloads.reload("request"),
    /** Stops taking requests, lets those in flight finish, then the delivery in hand. */
    close: async () => {
      clearInterval(pruneTimer);
      process.off("SIGHUP", onHangup);
      watcher.close();
      reloads.close();
      cluster?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await new Promise<void>((resolve) => {
        adminServer.close(() => resolve());
        adminServer.closeAllConnections();
      });
      await worker.stop();
      await journal.close();
    },
  };
}

export { DEFAULT_MAX_BODY };

export const DEFAULT_ADMIN_ADDR = "127.0.0.1:9090";

/** `host:port`, `:port` or `port`; IPv6 hosts in brackets. */
export function parseAdminAddr(text: string): { host: string; port: number } {
  // One pattern per form: an optional host made the old single pattern split "33294" into
  // host "3329", port 4 (issue 11, item 10).
  const value = text.trim();
  const m =
    /^:?(?<port>\d+)$/.exec(value) ??
    /^\[(?<host>[^\]]+)\]:(?<port>\d+)$/.exec(value) ??
    /^(?<host>[^:[\]]+):(?<port>\d+)$/.exec(value);
  const port = Number(m?.groups?.["port"]);
  if (m === null || !Number.isInteger(port) || port > 65535)
    throw new Error(
      `invalid admin address "${text}": use port, host:port or [v6]:port, e.g. 127.0.0.1:9090`,
    );
  return { host: m.groups?.["host"] ?? "127.0.0.1", port };
}

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === "" ? undefined : value;
}

/**
 * TLS_CERT / TLS_KEY → the PEMs for node:https. Tekton's EventListener takes them from a Secret and
 * hands its sink file paths; a value that is a PEM itself (`valueFrom.secretKeyRef` straight into
 * the env var, as Tekton's example writes it) is taken as is.
 */
async function readListenerTls(settings: {
  cert?: string | undefined;
  key?: string | undefined;
}): Promise<{ cert: string; key: string } | undefined> {
  const { cert, key } = settings;
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new Error(
      `TLS needs both TLS_CERT and TLS_KEY; only ${cert === undefined ? "TLS_KEY" : "TLS_CERT"} is set`,
    );
  }
  const pem = async (name: string, value: string): Promise<string> => {
    if (value.includes("-----BEGIN ")) return value;
    try {
      return await readFile(value, "utf8");
    } catch (err) {
      throw new Error(`${name} file ${value} cannot be read: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  const pair = { cert: await pem("TLS_CERT", cert), key: await pem("TLS_KEY", key) };
  try {
    createSecureContext(pair); // A bad PEM or a key that does not match fails here, before listening.
  } catch (err) {
    throw new Error(`TLS_CERT/TLS_KEY cannot be used: ${(err as Error).message}`, { cause: err });
  }
  return pair;
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : 0;
}
