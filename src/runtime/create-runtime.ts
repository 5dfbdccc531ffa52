import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createApp } from "../app.js";
import { describeUrl } from "../http/describe-url.js";
import { createAdminApp } from "../admin/create-admin-app.js";
import { createMetrics } from "../admin/metrics.js";
import { resolveBindAddress } from "../admin/resolve-bind-address.js";
import type {
  ClusterConfigOptions,
  ClusterConfigSource,
} from "../config/cluster/cluster-config-source.js";
import type { CompiledConfig } from "../config/compiled.js";
import { summarizeListener } from "../config/listener-summary.js";
import { formatIssue, hasDocumentErrors, loadConfigDir } from "../config/load-config.js";
import { createReloadCoordinator } from "../config/reload-coordinator.js";
import { createSecretResolver } from "../config/secret-resolver.js";
import { watchConfigDir } from "../config/watch-config-dir.js";
import type { Logger } from "../core/logger.js";
import { describeError, HooklineError } from "../errors/hookline-error.js";
import { createSecretValues } from "../core/secret-values.js";
import { createDeliveryWorker } from "../delivery/delivery-worker.js";
import { createInterceptorRegistry } from "../interceptors/plugins/create-interceptor-registry.js";
import type { SecretResolver } from "../interceptors/types.js";
import { checkDefaultListener } from "../listener/check-default-listener.js";
import { replayEvent } from "../listener/replay-event.js";
import { redactingLogger } from "../log/redacting-logger.js";
import { builtinInterceptorOptions } from "../settings/builtin-interceptor-options.js";
import {
  CONNECTIONS_CHECK_MS,
  DEFAULT_DEADLINE_MS,
  HEADERS_TIMEOUT_MS,
  JOURNAL_BUDGET_CHECK_MS,
  REQUEST_TIMEOUT_MS,
} from "../settings/defaults.js";
import type { Settings } from "../settings/types.js";
import { createDestinationGuard } from "../http/destination-guard.js";
import { createHttpRequestSink } from "../sinks/http/http-request-sink.js";
import { createLocalSink } from "../sinks/local/local-sink.js";
import {
  createLocalGroupRunStore,
  type LocalGroupRunStore,
} from "../sinks/local/local-group-runs.js";
import { createGroupScheduler } from "../concurrency/group-scheduler.js";
import { createMutexGroupLock, type GroupLock } from "../concurrency/group-lock.js";
import type { GroupRunStore } from "../concurrency/types.js";
import { groupNamespaces } from "../concurrency/group-namespaces.js";
import {
  createNamespacedGroupRunStore,
  type NamespacedGroupRunStore,
} from "../concurrency/namespaced-group-run-store.js";
import { createJournalBudget } from "../store/journal-budget.js";
import type { Sink } from "../sinks/types.js";
import type { Journal } from "../store/types.js";
import type { KubeEvents } from "../kube-events/start-kube-events.js";
import type { KubeConfig } from "@kubernetes/client-node";
import { createDisposerStack, type DisposerStack } from "./disposer-stack.js";
import { acquireJournalLock } from "./journal-lock.js";
import { listenerBaseUrl, startBanner, urlHost } from "./start-banner.js";
import { describeStoreSettings, openJournal } from "./open-journal.js";
import { createEventNotices } from "../admin/event-notices.js";
import { readListenerTls, watchListenerTls } from "./listener-tls.js";
import { startTracing } from "./start-tracing.js";
import {
  loadClusterConfigModule,
  loadKubeConfigModule,
  loadKubeEventsModule,
  loadKubeGroupRunStoreModule,
  loadKubernetesSinkModule,
  loadPostgresGroupLockModule,
} from "./optional-modules.js";

/** A running hookline: both ports bound, the worker delivering. */
export interface Running {
  server: Server;
  port: number;
  adminPort: number;
  /** The config in force now (a reload swaps it). */
  readonly config: CompiledConfig;
  /** Reloads the config as SIGHUP does; true when the new config is in force. */
  reload(): Promise<boolean>;
  /** Stops taking requests, lets those in flight finish, then the delivery in hand. */
  close(): Promise<void>;
}

/** What the runtime is given beside its settings. */
export interface RuntimeIo {
  log: Logger;
  /**
   * Tuning of the cluster config source and an injected KubeConfig (tests); by default the
   * KubeConfig is loaded from `settings.kubeconfig`. Used only with `--config kubernetes`.
   */
  cluster?: Omit<ClusterConfigOptions, "allListeners"> | undefined;
  /**
   * Where the start-up banner for a person goes ("Point GitHub at http://…"): serve writes it to
   * stderr, so that stdout stays JSON lines for machines. None: no banner.
   */
  banner?: ((text: string) => void) | undefined;
}

/**
 * The composition root: builds config source, secrets, journal, sink, worker, metrics, admin
 * server and listener server on one disposer stack, and listens. `close()` undoes exactly what was
 * built, in reverse; a start-up that fails half-way closes what it had built, then throws. Refuses
 * to start on a document error; reference errors are logged as warnings and fail their trigger
 * per request.
 */
export async function createRuntime(settings: Settings, io: RuntimeIo): Promise<Running> {
  const stack = createDisposerStack();
  try {
    return await build(settings, io, stack);
  } catch (err) {
    await stack.close().catch((closeErr: unknown) => {
      // The start-up error is the one to report; a failed clean-up after it is logged.
      io.log.error("start-up clean-up failed", { error: (closeErr as Error).message });
    });
    throw err;
  }
}

async function build(settings: Settings, io: RuntimeIo, stack: DisposerStack): Promise<Running> {
  // Every secret value the resolvers hand out (and the config's Secrets) is redacted by value from
  // the journal and from every log line.
  const secretValues = createSecretValues();
  const log = redactingLogger(io.log, secretValues);
  // First on the stack, so closed last: the spans of the last deliveries are exported too.
  const tracing = await startTracing(settings.tracing);
  if (tracing !== undefined) stack.push("tracing", () => tracing.shutdown());
  const tracer = tracing?.tracer;
  const source = settings.config;
  const dir = source.kind === "cluster" ? undefined : source.dir;
  const registry = await createInterceptorRegistry(
    settings.interceptorsDir,
    builtinInterceptorOptions(settings.interceptors),
  );
  // The Kubernetes client is loaded only for `--config kubernetes` (as for the sink, below).
  const clusterModule = source.kind === "dir" ? undefined : await loadClusterConfigModule();
  let cluster: ClusterConfigSource | undefined;
  let clusterKubeConfig: KubeConfig | undefined;
  if (clusterModule !== undefined && source.kind !== "dir") {
    const kubeConfig =
      io.cluster?.kubeConfig ?? (await loadKubeConfigModule()).loadKubeConfig(settings.kubeconfig);
    cluster = await clusterModule.startClusterConfig({
      debounceMs: settings.reloadDebounceMs,
      ...io.cluster,
      kubeConfig,
      allListeners: source.allListeners,
      log,
    });
    clusterKubeConfig = kubeConfig;
    const opened = cluster;
    stack.push("cluster config", () => opened.close());
  }
  // A reload reads big files off the thread (requests are being answered); the first load not.
  const load = (offThread = true): Promise<CompiledConfig> =>
    clusterModule === undefined || cluster === undefined
      ? loadConfigDir(dir ?? "", { registry, offThread })
      : clusterModule.loadConfigSources({ dir, cluster, registry });
  let config = await load(false);
  for (const issue of config.issues) {
    const line = formatIssue(issue);
    const code = issue.code === undefined ? {} : { code: issue.code };
    if (issue.severity === "note") log.debug("config note", { issue: line });
    else if (issue.class === "document") log.error("config error", { issue: line, ...code });
    else log.warn("config warning", { issue: line, ...code });
  }
  if (hasDocumentErrors(config.issues)) {
    throw new HooklineError(
      "HL_CONFIG_INVALID",
      dir === undefined
        ? "the configuration read from the cluster has errors (logged above, each naming its resource and field)"
        : `the configuration in ${dir} has errors; run \`hookline validate ${dir}\` to list them`,
    );
  }
  // A default listener that is not there would answer 404 to every delivery: refused now.
  const noDefault = checkDefaultListener(config.listeners, settings.defaultListener);
  if (noDefault !== undefined) throw new Error(noDefault);
  const admin = settings.admin.addr;
  // "Loopback" is what the host resolves to (every address of it), never its text; the checked
  // address is the one bound, so that the name cannot resolve anew in between.
  const adminBind = await resolveBindAddress(admin.host);
  if (!adminBind.loopback && settings.admin.token === undefined) {
    const resolved = adminBind.resolved.join(", ");
    throw new Error(
      `the admin port ${admin.host}:${admin.port} is not on loopback${resolved === admin.host ? "" : ` (${admin.host} is ${resolved})`}: set HOOKLINE_ADMIN_TOKEN to protect it`,
    );
  }
  const tls = settings.tls.kind === "none" ? undefined : await readListenerTls(settings.tls);
  // Made before the journal is opened: a missing kubeconfig stops `serve` with nothing to close.
  // The local sink's runs of concurrency groups: the sink writes them, the scheduler reads them.
  const localRuns =
    settings.sink.kind === "local"
      ? createLocalGroupRunStore({ outDir: settings.sink.outDir })
      : undefined;
  // The Kubernetes sink's kubeconfig, loaded once: the group watch uses the same one.
  const sinkKubeConfig =
    settings.sink.kind === "kubernetes"
      ? (await loadKubeConfigModule()).loadKubeConfig(settings.kubeconfig)
      : undefined;
  const sink = await createSink(settings, localRuns, sinkKubeConfig);
  // One serve per SQLite file: holding the lock is what lets it void the claims a crashed server
  // left (PostgreSQL is shared and takes none).
  const lock =
    settings.store.kind === "sqlite" ? acquireJournalLock(settings.store.path) : undefined;
  if (lock !== undefined) stack.push("journal lock", () => lock.release());
  const stored = await openJournal(settings.store, lock);
  stack.push("journal", () => stored.close());
  // Every event this process records is announced to the page's open event streams.
  const notices = createEventNotices(stored);
  const journal = notices.journal;
  const metrics = createMetrics(journal);
  const started = cluster;
  if (started !== undefined) metrics.countInvalidConfigObjects(() => started.invalidObjects());
  // The config's own Secrets are part of the config: a reload swaps the resolver with it.
  const resolverFor = (c: CompiledConfig): SecretResolver =>
    createSecretResolver({
      fromConfig: c.secrets,
      dir: settings.secretsDir,
      cluster: cluster?.secrets,
      values: secretValues,
    });
  let resolver = resolverFor(config);
  const secrets: SecretResolver = { get: (ref, namespace) => resolver.get(ref, namespace) };
  // HTTPRequest deliveries read their secret headers through the same resolver, at each attempt.
  const httpSink = createHttpRequestSink({
    secrets,
    secretValues,
    guard: createDestinationGuard({ allow: settings.httpAllow }),
  });
  const kubeEvents = await startKubeEventsIfUsed(settings, clusterKubeConfig, {
    journal,
    config: () => config,
    log,
  });
  if (kubeEvents !== undefined) stack.push("Kubernetes Events", () => kubeEvents.close());
  const reporter = kubeEvents?.reporter;
  // The group scheduler (issue 12): made before the worker, which pokes it after each create of
  // a run of a group; started with the worker, stopped before it.
  const kubeGroupRuns =
    sinkKubeConfig === undefined
      ? undefined
      : await createKubernetesGroupRunStore(sinkKubeConfig, config, log);
  const groupRuns: GroupRunStore | undefined = localRuns ?? kubeGroupRuns;
  const groupLock: GroupLock =
    settings.store.kind === "postgres"
      ? (await loadPostgresGroupLockModule()).createPostgresGroupLock({
          url: settings.store.url,
          schema: "hookline",
        })
      : createMutexGroupLock();
  stack.push("group lock", () => groupLock.close());
  let wakeWorker = (): void => undefined;
  const scheduler =
    groupRuns === undefined
      ? undefined
      : createGroupScheduler({
          store: groupRuns,
          journal,
          lock: groupLock,
          wake: () => wakeWorker(),
          log: log.child({ component: "group-scheduler" }),
          onQueued: (group, pending) =>
            metrics.runsQueued(group.namespace, group.groupHash, pending),
        });
  const worker = createDeliveryWorker({
    journal,
    sink,
    httpSink,
    log,
    metrics,
    tracer,
    // A local create is a round trip to the file writer's thread, answered in a later turn of a
    // busy loop: at 50 connections 64 runs in flight delivered ~0.8 of the accepted events.
    ...(sink.kind === "local" ? { concurrency: LOCAL_SINK_SLOTS } : {}),
    observer: {
      created(run, created) {
        reporter?.created(run, created);
        const c = run.concurrency;
        if (c !== undefined)
          scheduler?.poke({
            apiVersion: c.apiVersion,
            kind: c.kind,
            namespace: c.namespace,
            groupHash: c.groupHash,
          });
      },
      delivered(run) {
        // A start saved delivered frees the journal's count of the group's starts: decide again
        // (with max-running above 1 another run may start now).
        for (const d of run.deliveries)
          if (d.kind === "start" && run.origin.kind === "group")
            scheduler?.poke({
              apiVersion: d.target.apiVersion,
              kind: d.target.kind,
              namespace: d.target.namespace,
              groupHash: run.origin.groupId.slice(run.origin.groupId.indexOf("/") + 1),
            });
      },
      deadLettered(run, delivery, error) {
        reporter?.deadLettered(run, delivery, error);
      },
    },
  });
  wakeWorker = () => worker.wake();
  // The journal's size rules: the filtered events' share evicted past its budget, and the total
  // cap that requests nobody authenticated never pass (checked every 30 s; once at start).
  const journalBudget = createJournalBudget({
    journal,
    maxBytes: settings.journalMaxBytes,
    filteredBytes: settings.journalFilteredMaxBytes,
    log,
    onChecked: (sizes, evicted) => metrics.journalChecked(sizes, evicted),
  });
  const enforceBudget = (): void => {
    journalBudget
      .enforce()
      .catch((err: unknown) =>
        log.error("journal budget check failed", { error: (err as Error).message }),
      );
  };
  enforceBudget();
  const budgetTimer = setInterval(enforceBudget, JOURNAL_BUDGET_CHECK_MS);
  budgetTimer.unref();
  stack.push("journal budget", () => clearInterval(budgetTimer));
  // Stopped after both ports are closed (pushed before them): a request in flight may wake it.
  stack.push("delivery worker", () => worker.stop());
  if (scheduler !== undefined) stack.push("group scheduler", () => scheduler.stop());
  /** Known once the listener port is bound (the admin app reads it per page). */
  let listenerUrl = listenerBaseUrl(settings.host, settings.port, tls !== undefined);
  const adminServer = createServer(
    createAdminApp({
      journal,
      metrics,
      log,
      token: settings.admin.token,
      allowedHosts: settings.admin.hosts,
      listenerUrl: () => listenerUrl,
      notices,
      traceUrl: settings.traceUrl,
      groupRuns,
      finishRun:
        localRuns === undefined ? undefined : (target, reason) => localRuns.finish(target, reason),
      replay: async (event) => {
        const result = await replayEvent(event, {
          config,
          secrets,
          secretValues,
          log,
          deadlineMs: DEFAULT_DEADLINE_MS,
          journal,
        });
        worker.wake();
        return result;
      },
    }),
  );
  await listen(
    adminServer,
    admin.port,
    adminBind.address,
    "the admin port (--admin / HOOKLINE_ADMIN_ADDR)",
  );
  stack.push("admin port", () => closeServer(adminServer, "all"));
  const app = createApp({
    config: () => config,
    secrets,
    secretValues,
    journal,
    metrics,
    onRecorded: () => worker.wake(),
    onAnswered: reporter === undefined ? undefined : (l, p) => reporter.answered(l, p),
    log,
    defaultListener: settings.defaultListener,
    maxBodyBytes: settings.maxBodyBytes,
    bodyBudgetBytes: settings.bodyBudgetBytes,
    bodiesPerSource: settings.bodiesPerSource,
    journalBudget,
    deadlineMs: DEFAULT_DEADLINE_MS,
    tracer,
    adminPage: `http://${urlHost(admin.host)}:${portOf(adminServer) ?? admin.port}/ui/`,
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
  if (tls !== undefined && settings.tls.kind === "files") {
    // cert-manager rotates the mounted files in place: new connections get the new pair.
    const https = server as HttpsServer;
    const tlsWatcher = watchListenerTls({
      source: settings.tls,
      apply: (pair) => https.setSecureContext(pair),
      log,
    });
    stack.push("TLS certificate watcher", () => tlsWatcher.close());
  }
  await listen(server, settings.port, settings.host, "the listener port (--port / PORT)");
  // Requests in flight finish; idle keep-alive connections are closed.
  stack.push("listener port", () => closeServer(server, "idle"));
  const reloads = createReloadCoordinator({
    load: () => load(),
    apply: (next) => {
      resolver = resolverFor(next);
      config = next;
      // The group watch follows the namespaces of the triggers that declare a group.
      kubeGroupRuns
        ?.setNamespaces(groupNamespaces(next))
        .catch((err: unknown) =>
          log.error("concurrency group watch: restart failed", { error: describeError(err) }),
        );
    },
    log,
    metrics,
  });
  stack.push("reload coordinator", () => reloads.close());
  const watcher = await watchConfigDir({
    dir: dir ?? "",
    coordinator: reloads,
    log,
    watch: settings.watchConfig && dir !== undefined,
    debounceMs: settings.reloadDebounceMs,
  });
  stack.push("config watcher", () => watcher.close());
  // A change in the cluster is loaded with the same rule as a file change.
  cluster?.onChange(() => void reloads.reload("cluster change"));
  const onHangup = (): void => void reloads.reload("SIGHUP");
  process.on("SIGHUP", onHangup);
  stack.push("SIGHUP handler", () => void process.off("SIGHUP", onHangup));
  // Only now that both ports are bound does work start: a process that cannot serve does not
  // claim deliveries either.
  worker.start();
  scheduler?.start();
  const prune = (): void => {
    journal
      .prune(new Date(Date.now() - settings.retentionMs))
      .then((n) => n > 0 && log.info("journal pruned", { events: n }))
      .catch((err: unknown) =>
        log.error("journal prune failed", { error: (err as Error).message }),
      );
  };
  const pruneTimer = setInterval(prune, 3600_000);
  pruneTimer.unref();
  stack.push("journal pruning", () => clearInterval(pruneTimer));
  prune();

  const port = portOf(server) ?? settings.port;
  const adminPort = portOf(adminServer) ?? 0;
  // What to paste into the provider's webhook settings (the host as bound, or localhost).
  const baseUrl = listenerBaseUrl(settings.host, port, tls !== undefined);
  listenerUrl = baseUrl;
  const adminUrl = `http://${urlHost(admin.host)}:${adminPort}/ui/`;
  log.info("listening", {
    port,
    tls: tls !== undefined,
    listeners: config.listeners.map((l) => `/listeners/${l.namespace}/${l.name}`),
    webhookUrls: config.listeners.map((l) => `${baseUrl}/listeners/${l.namespace}/${l.name}`),
    sink: sink.kind,
    out: settings.sink.kind === "local" ? settings.sink.outDir : undefined,
    store: describeStoreSettings(settings.store),
    admin: adminUrl,
    maxBodyBytes: settings.maxBodyBytes,
    // Where spans go, never the collector's headers (they may hold an API key).
    tracing: settings.tracing.kind === "off" ? "off" : describeUrl(settings.tracing.url),
  });
  io.banner?.(startBanner(config.listeners.map(summarizeListener), baseUrl, adminUrl));
  return {
    server,
    port,
    adminPort,
    get config() {
      return config;
    },
    reload: () => reloads.reload("request"),
    close: () => stack.close(),
  };
}

/**
 * Kubernetes Events (for `kubectl describe el`), when hookline works with a cluster: the
 * Kubernetes sink or the cluster config source, and HOOKLINE_KUBE_EVENTS not off. The client is
 * that of the cluster source, else the sink's kubeconfig.
 */
async function startKubeEventsIfUsed(
  settings: Settings,
  clusterKubeConfig: KubeConfig | undefined,
  deps: { journal: Journal; config: () => CompiledConfig; log: Logger },
): Promise<KubeEvents | undefined> {
  const createdInCluster = settings.sink.kind === "kubernetes";
  if (!settings.kubeEvents || (!createdInCluster && clusterKubeConfig === undefined))
    return undefined;
  const [{ startKubeEvents }, { loadKubeConfig }] = await Promise.all([
    loadKubeEventsModule(),
    loadKubeConfigModule(),
  ]);
  const kubeConfig = clusterKubeConfig ?? loadKubeConfig(settings.kubeconfig);
  return startKubeEvents({ ...deps, kubeConfig, createdInCluster });
}

/**
 * The Kubernetes sink's GroupRunStore (src/sinks/kubernetes/kube-group-run-store.ts): a
 * label-selector list and one watch per namespace and kind over the namespaces of the triggers
 * whose templates declare a concurrency group, with the sink's kubeconfig. No template with a
 * group: no store is made and nothing is listed or watched (a reload that adds one starts it).
 */
async function createKubernetesGroupRunStore(
  kubeConfig: KubeConfig,
  config: CompiledConfig,
  log: Logger,
): Promise<NamespacedGroupRunStore> {
  const { createKubeGroupRunStore } = await loadKubeGroupRunStoreModule();
  const watchLog = log.child({ component: "group-watch" });
  return createNamespacedGroupRunStore({
    namespaces: groupNamespaces(config),
    create: (namespaces) => createKubeGroupRunStore({ kubeConfig, namespaces, log: watchLog }),
    log: watchLog,
  });
}

async function createSink(
  settings: Settings,
  groupRuns: LocalGroupRunStore | undefined,
  kubeConfig: KubeConfig | undefined,
): Promise<Sink> {
  if (settings.sink.kind === "local")
    return createLocalSink({
      outDir: settings.sink.outDir,
      ...(groupRuns === undefined ? {} : { groupRuns }),
    });
  // The Kubernetes client is imported only when used: loading it costs ~1 s of start-up.
  const [{ createKubernetesSink }, { loadKubeConfig }] = await Promise.all([
    loadKubernetesSinkModule(),
    loadKubeConfigModule(),
  ]);
  return createKubernetesSink({ kubeConfig: kubeConfig ?? loadKubeConfig(settings.kubeconfig) });
}

/** Runs in flight at once on the local sink (the Kubernetes sink keeps the worker's 64). */
const LOCAL_SINK_SLOTS = 512;

/**
 * Listens; a port that is taken or not allowed fails with a message naming the port and the flag
 * and variable that set it (`what`), not a bare EADDRINUSE.
 */
function listen(
  server: Server,
  port: number,
  host: string | undefined,
  what: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      const where = `${host ?? "*"}:${port}`;
      if (err.code === "EADDRINUSE")
        reject(
          new Error(
            `${where} is already in use (EADDRINUSE): another process listens there; stop it or choose another port for ${what}`,
          ),
        );
      else if (err.code === "EACCES")
        reject(
          new Error(`${where} may not be bound by this user: choose a port above 1023 for ${what}`),
        );
      else if (err.code === "EADDRNOTAVAIL")
        reject(
          new Error(
            `${where}: no interface of this machine has that address; check the host of ${what}`,
          ),
        );
      else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
}

/** Closes a listening server: idle connections (listener port) or all of them (admin port). */
function closeServer(server: Server, connections: "idle" | "all"): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    if (connections === "idle") server.closeIdleConnections();
    else server.closeAllConnections();
  });
}

function portOf(server: Server): number | undefined {
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : undefined;
}
