import { createServer, type Server } from "node:http";
import { createApp, DEFAULT_DEADLINE_MS, DEFAULT_MAX_BODY, REQUEST_TIMEOUT_MS } from "./app.js";
import type { CompiledConfig } from "./config/compiled.js";
import { formatIssue, hasDocumentErrors, loadConfigDir } from "./config/load-config.js";
import { createSecretResolver } from "./config/secret-resolver.js";
import { createBuiltinRegistry } from "./interceptors/builtins.js";
import type { Logger } from "./log/logger.js";
import { createDeliveryWorker } from "./delivery/delivery-worker.js";
import { createJournal, describeStore } from "./store/create-journal.js";

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;
import { createLocalSink } from "./sinks/local/local-sink.js";

export interface ServeOptions {
  configDir: string;
  /** HOOKLINE_STORE: a PostgreSQL URL, `memory`, or an SQLite file (default ./data/hookline.db). */
  store: string | undefined;
  /** Events older than this are pruned once their deliveries are finished (default 7 days). */
  retentionMs?: number;
  port: number;
  host?: string;
  outDir: string;
  secretsDir: string | undefined;
  maxBodyBytes: number;
  defaultListener: string | undefined;
  log: Logger;
}

export interface Running {
  server: Server;
  port: number;
  config: CompiledConfig;
  close(): Promise<void>;
}

/**
 * Loads the config, builds the listener's dependencies and listens. Refuses to start on a
 * document error; reference errors are logged as warnings and fail their trigger per request.
 */
export async function serve(options: ServeOptions): Promise<Running> {
  const { log } = options;
  const registry = createBuiltinRegistry();
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
  const journal = await createJournal(options.store);
  const worker = createDeliveryWorker({
    journal,
    sink: createLocalSink({ outDir: options.outDir }),
    log,
  });
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
  const app = createApp({
    config: () => config,
    secrets: createSecretResolver({ fromConfig: config.secrets, dir: options.secretsDir }),
    journal,
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
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  log.info("listening", {
    port,
    listeners: config.listeners.map((l) => `/listeners/${l.namespace}/${l.name}`),
    out: options.outDir,
    store: describeStore(options.store),
    maxBodyBytes: options.maxBodyBytes,
  });
  return {
    server,
    port,
    config,
    /** Stops taking requests, lets those in flight finish, then the delivery in hand. */
    close: async () => {
      clearInterval(pruneTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await worker.stop();
      await journal.close();
    },
  };
}

export { DEFAULT_MAX_BODY };
