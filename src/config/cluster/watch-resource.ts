import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { Logger } from "../../core/logger.js";
import { KubeApiError, type KubeHttp, type KubeObject } from "./kube-http.js";

/** One kind of triggers.tekton.dev, and the versions to read it at, preferred first. */
export interface WatchedKind {
  group: string;
  kind: string;
  plural: string;
  /** The first one the API server serves is used: the same objects are served at each. */
  versions: readonly string[];
}

export interface WatchResourceOptions {
  http: KubeHttp;
  type: WatchedKind;
  log: Logger;
  /** Called after each change of the object set (after the first list too). */
  onChange: () => void;
  /** How long a watch runs before the server ends it (asked with timeoutSeconds; default 300 s). */
  watchSeconds?: number;
  /** First wait before retrying after an error (default 1 s; doubles up to 30 s). */
  retryMs?: number;
}

export interface ResourceWatch {
  /** Resolves after the first list; rejects if it fails (other than by 404: a kind not served). */
  readonly ready: Promise<void>;
  /** The objects now. */
  objects(): Iterable<KubeObject>;
  /** The version read (`triggers.tekton.dev/v1beta1`), or undefined when none is served. */
  readonly apiVersion: string | undefined;
  close(): void;
}

/** How long to wait before looking again for a kind no version of which is served. */
const UNSERVED_RECHECK_MS = 30_000;
const MAX_RETRY_MS = 30_000;

/**
 * Lists one kind across all namespaces and keeps the object set current with client-node's
 * ListWatch (which re-watches from the last resourceVersion when a watch ends, and lists again
 * after 410 Gone). This wrapper adds what ListWatch leaves to its user: the version to read at
 * (the first served; none served means no objects, looked for again every 30 s), restarts with
 * backoff after an error (ListWatch stops on one), and watches bounded by `timeoutSeconds` with
 * bookmarks, cut when silent past that (a connection a NAT dropped says nothing).
 *
 * The lists go through hookline's HTTP layer; the watch stream itself through client-node's own
 * transport (node-fetch), as its Watch has no other.
 */
export function watchResource(options: WatchResourceOptions): ResourceWatch {
  const { http, type, log } = options;
  const watchSeconds = options.watchSeconds ?? 300;
  const firstRetryMs = options.retryMs ?? 1_000;
  let retryMs = firstRetryMs;
  let apiVersion: string | undefined;
  let informer: ListWatch<KubernetesObject> | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const path = (version: string): string => `/apis/${type.group}/${version}/${type.plural}`;

  /** Lists at each version until one is served: the version and its list, or undefined. */
  const probe = async (): Promise<{ version: string; list: ListOf } | undefined> => {
    for (const version of type.versions) {
      try {
        return { version, list: await http.get<ListOf>(path(version)) };
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) continue;
        throw err;
      }
    }
    return undefined;
  };

  const later = (ms: number, fn: () => void): void => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (!closed) fn();
    }, ms).unref();
  };

  const retry = (err: unknown): void => {
    if (closed) return;
    if (err instanceof KubeApiError && err.code === 404) {
      // The CRD went away (or its version did): find the kind again.
      log.warn("cluster config: kind no longer served; looking for it again", { kind: type.kind });
      stopInformer();
      later(retryMs, () => void begin().catch(retry));
      return;
    }
    log.warn("cluster config: watch failed; retrying (the config read so far stays)", {
      kind: type.kind,
      error: err instanceof Error ? err.message : String(err),
      retryInMs: retryMs,
    });
    const wait = retryMs;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    later(wait, () => void informer?.start());
  };

  const stopInformer = (): void => {
    void informer?.stop();
    informer = undefined;
  };

  /** Finds the version, then lists and watches it; resolves once the first list is held. */
  const begin = async (): Promise<void> => {
    const found = await probe();
    if (closed) return;
    if (found === undefined) {
      if (apiVersion !== undefined || informer === undefined) {
        log.warn("cluster config: kind not served by the API server (is its CRD installed?)", {
          kind: type.kind,
          versions: type.versions.map((v) => `${type.group}/${v}`),
        });
      }
      apiVersion = undefined;
      stopInformer();
      options.onChange();
      later(UNSERVED_RECHECK_MS, () => void begin().catch(retry));
      return;
    }
    apiVersion = `${type.group}/${found.version}`;
    log.debug("cluster config: reading", { kind: type.kind, apiVersion });
    retryMs = firstRetryMs;
    const served = apiVersion;
    let first: ListOf | undefined = found.list;
    const listFn = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const list = first ?? (await http.get<ListOf>(path(found.version)));
      first = undefined;
      retryMs = firstRetryMs;
      // A list's items carry no apiVersion or kind; watch events do.
      return {
        ...list,
        items: (list.items ?? []).map((item) => ({ ...item, apiVersion: served, kind: type.kind })),
      };
    };
    stopInformer();
    // ListWatch applies a list and then, at once, opens the watch: the watch being opened means
    // the objects are held. (Its start() resolves only when the watch's headers came, which an
    // API server may hold back until the first event.)
    let listed!: () => void;
    const held = new Promise<void>((resolve) => (listed = resolve));
    const lw = new ListWatch<KubernetesObject>(
      path(found.version),
      new BoundedWatch(http.kc, watchSeconds, {
        opening: () => listed(),
        event: () => (retryMs = firstRetryMs),
      }),
      listFn,
      false,
    );
    informer = lw;
    lw.on("change", () => {
      if (informer === lw) options.onChange();
    });
    lw.on("error", (err: unknown) => {
      // A stopped ListWatch still reports the abort of its last watch.
      if (informer === lw) retry(err);
    });
    void lw.start();
    await held;
    options.onChange();
  };

  const ready = begin();
  ready.catch(() => undefined);

  return {
    ready,
    objects: () => (informer?.list() ?? []) as readonly KubeObject[],
    get apiVersion() {
      return apiVersion;
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      stopInformer();
    },
  };
}

interface ListOf {
  metadata?: { resourceVersion?: string };
  items?: KubeObject[];
}

/**
 * client-node's Watch, asked for bookmarks and a server-side end after `watchSeconds`, and cut
 * when nothing (not even a bookmark) has come for 30 s past that: then ListWatch reports an
 * error and the wrapper reconnects.
 */
class BoundedWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly watchSeconds: number,
    private readonly on: { opening: () => void; event: () => void },
  ) {
    super(config);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    // The parameter types are client-node's own (`any` there).
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    this.on.opening();
    const box: { controller?: AbortController } = {};
    let idle: NodeJS.Timeout | undefined;
    const idleMs = (this.watchSeconds + 30) * 1000;
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => box.controller?.abort(new Error("watch idle")), idleMs).unref();
    };
    arm();
    box.controller = await super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: this.watchSeconds },
      (phase, obj, watchObj) => {
        arm();
        this.on.event();
        callback(phase, obj, watchObj);
      },
      (err) => {
        clearTimeout(idle);
        done(err);
      },
    );
    return box.controller;
  }
}
