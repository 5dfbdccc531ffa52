import { createServer, type Server } from "node:http";
import { createApp, DEFAULT_DEADLINE_MS, DEFAULT_MAX_BODY, REQUEST_TIMEOUT_MS } from "./app.js";
import type { CompiledConfig } from "./config/compiled.js";
import { formatIssue, hasDocumentErrors, loadConfigDir } from "./config/load-config.js";
import { createSecretResolver } from "./config/secret-resolver.js";
import { createInterceptorRegistry } from "./interceptors/plugins/create-interceptor-registry.js";
import type { Logger } from "./log/logger.js";
import { createAdminApp } from "./admin/create-admin-app.js";
import { isLoopback } from "./admin/auth.js";
import { createMetrics } from "./admin/metrics.js";
import { replayEvent } from "./listener/replay-event.js";
import { createDeliveryWorker } from "./delivery/delivery-worker.js";
import { createJournal, describeStore } from "./store/create-journal.js";

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;
import { createLocalSink } from "./sinks/local/local-sink.js";

export interface ServeOptions {
  configDir: string;
  /** HOOKLINE_STORE: a PostgreSQL URL, `memory`, or an SQLite file (default ./data/hookline.db). */
  store: string | undefined;
  /** HOOKLINE_ADMIN_ADDR: `host:port` of the admin port (default 127.0.0.1:9090). */
  adminAddr?: string | undefined;
  /** HOOKLINE_ADMIN_TOKEN: required when the admin port is not on loopback. */
  adminToken?: string | undefined;
  /** Events older than this are pruned once their deliveries are finished (default 7 days). */
  retentionMs?: number;
  port: number;
  host?: string;
  outDir: string;
  secretsDir: string | undefined;
  maxBodyBytes: number;
  defaultListener: string | undefined;
  /** HOOKLINE_INTERCEPTORS_DIR / `--interceptors`: a folder of interceptor plug-ins. */
  interceptorsDir?: string | undefined;
  log: Logger;
}

export interface Running {
  server: Server;
  port: number;
  adminPort: number;
  config: CompiledConfig;
  close(): Promise<void>;
}

/**
 * Loads the config, builds the listener's dependencies and listens. Refuses to start on a
 * document error; reference errors are logged as warnings and fail their trigger per request.
 */
export async function serve(options: ServeOptions): Promise<Running> {
  const { log } = options;
  const registry = await createInterceptorRegistry(options.interceptorsDir);
  const config = await loadConfigDir(options.configDir, { registry });
  for (const issue of config.issues) {
    const line = formatIssue(issue);
    if (issue.severity === "note") log.debug("config note", { issue: line });
    else if (issue.class === "document") log.error("config error", { issue: line });
    else log.warn("config warning", { issue: line });
  }
  if (hasDocumentErrors(config.issues)) {
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
  const journal = await createJournal(options.store);
  const metrics = createMetrics(journal);
  const worker = createDeliveryWorker({
    journal,
    sink: createLocalSink({ outDir: options.outDir }),
    log,
    metrics,
  });
  const secrets = createSecretResolver({ fromConfig: config.secrets, dir: options.secretsDir });
  const adminServer = createServer(
    createAdminApp({
      journal,
      metrics,
      log,
      token: options.adminToken,
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
    deadlineMs: DEFAULT_DEADLINE_MS,
  });
  const server = createServer(app);
  // Tekton's EventListener timeouts (TEKTON-SPEC §2.1), with room for a 25 MiB body.
  server.headersTimeout = 10_000;
  server.requestTimeout = REQUEST_TIMEOUT_MS + 5_000;
  server.keepAliveTimeout = 120_000;
  try {
    await listen(server, options.port, options.host);
  } catch (err) {
    adminServer.close();
    await journal.close();
    throw err;
  }
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
    listeners: config.listeners.map((l) => `/listeners/${l.namespace}/${l.name}`),
    out: options.outDir,
    store: describeStore(options.store),
    admin: `http://${admin.host}:${portOf(adminServer)}/ui/`,
    maxBodyBytes: options.maxBodyBytes,
  });
  return {
    server,
    port,
    adminPort: portOf(adminServer),
    config,
    /** Stops taking requests, lets those in flight finish, then the delivery in hand. */
    close: async () => {
      clearInterval(pruneTimer);
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
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d+)$/.exec(text.trim());
  if (m === null)
    throw new Error(`invalid admin address "${text}": use host:port, e.g. 127.0.0.1:9090`);
  return {
    host: m[1] ?? (m[2] === undefined || m[2] === "" ? "127.0.0.1" : m[2]),
    port: Number(m[3]),
  };
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
