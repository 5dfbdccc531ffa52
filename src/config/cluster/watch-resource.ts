import type { Logger } from "../../log/logger.js";
import { KubeApiError, type KubeHttp, type KubeObject, type WatchLine } from "./kube-http.js";

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
  /** The objects now, by `namespace/name`. */
  objects(): IterableIterator<KubeObject>;
  /** The version read (`triggers.tekton.dev/v1beta1`), or undefined when none is served. */
  readonly apiVersion: string | undefined;
  close(): void;
}

/** The watch stream said the resourceVersion is too old (410 Gone): list again. */
class Gone extends Error {}

/**
 * Lists one kind across all namespaces, then watches it from the list's resourceVersion and
 * keeps the object set current. A watch that ends (the server's timeout) is reopened from the
 * last resourceVersion seen; 410 Gone (a compacted history) lists again; other errors retry
 * with backoff, listing again. A kind no version of which is served (its CRD is not installed)
 * holds no objects; it is looked for again at each retry.
 */
export function watchResource(options: WatchResourceOptions): ResourceWatch {
  const { http, type, log } = options;
  const objects = new Map<string, KubeObject>();
  const controller = new AbortController();
  const watchSeconds = options.watchSeconds ?? 300;
  const firstRetryMs = options.retryMs ?? 1_000;
  let apiVersion: string | undefined;
  let closed = false;
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  let isReady = false;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);
  let retryTimer: NodeJS.Timeout | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      retryTimer = setTimeout(resolve, ms).unref();
    });

  const path = (version: string): string => `/apis/${type.group}/${version}/${type.plural}`;

  /** Lists at the first version served; false when none is. */
  const list = async (): Promise<string | undefined> => {
    for (const version of type.versions) {
      let answer: { metadata?: { resourceVersion?: string }; items?: KubeObject[] };
      try {
        answer = await http.get(path(version));
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) continue;
        throw err;
      }
      if (apiVersion !== `${type.group}/${version}`) {
        apiVersion = `${type.group}/${version}`;
        log.debug("cluster config: reading", { kind: type.kind, apiVersion });
      }
      objects.clear();
      for (const item of answer.items ?? []) {
        // A list's items carry no apiVersion or kind.
        const obj: KubeObject = { ...item, apiVersion, kind: type.kind };
        objects.set(keyOf(obj), obj);
      }
      return answer.metadata?.resourceVersion ?? "";
    }
    if (apiVersion !== undefined || !isReady) {
      log.warn("cluster config: kind not served by the API server (is its CRD installed?)", {
        kind: type.kind,
        versions: type.versions.map((v) => `${type.group}/${v}`),
      });
    }
    apiVersion = undefined;
    objects.clear();
    return undefined;
  };

  const watchFrom = async (resourceVersion: string): Promise<string> => {
    let rv = resourceVersion;
    const query = new URLSearchParams({
      watch: "true",
      resourceVersion: rv,
      allowWatchBookmarks: "true",
      timeoutSeconds: String(watchSeconds),
    });
    const version = (apiVersion ?? "").slice(type.group.length + 1);
    await http.watch(
      `${path(version)}?${query.toString()}`,
      (line: WatchLine) => {
        const obj = line.object;
        if (line.type === "ERROR") {
          const status = obj as { code?: number; message?: string };
          if (status.code === 410) throw new Gone(status.message ?? "Gone");
          throw new Error(`watch error: ${status.message ?? JSON.stringify(obj)}`);
        }
        const objRv = obj.metadata?.resourceVersion;
        if (objRv !== undefined) rv = objRv;
        if (line.type === "BOOKMARK") return;
        const withKind: KubeObject = { ...obj, apiVersion: apiVersion ?? "", kind: type.kind };
        if (line.type === "DELETED") objects.delete(keyOf(withKind));
        else objects.set(keyOf(withKind), withKind);
        options.onChange();
      },
      controller.signal,
      (watchSeconds + 30) * 1000,
    );
    return rv;
  };

  const run = async (): Promise<void> => {
    let retryMs = firstRetryMs;
    while (!closed) {
      let rv: string | undefined;
      try {
        rv = await list();
        if (!isReady) {
          isReady = true;
          resolveReady();
        }
        options.onChange();
        if (rv === undefined) {
          await sleep(30_000);
          continue;
        }
        retryMs = firstRetryMs;
        for (;;) {
          rv = await watchFrom(rv);
          if (closed) return;
          retryMs = firstRetryMs;
        }
      } catch (err) {
        if (closed) return;
        if (!isReady) {
          rejectReady(err);
          return;
        }
        if (err instanceof Gone || (err instanceof KubeApiError && err.code === 410)) {
          log.debug("cluster config: watch too old, listing again", { kind: type.kind });
          continue;
        }
        log.warn("cluster config: watch failed; retrying (the config read so far stays)", {
          kind: type.kind,
          error: (err as Error).message,
          retryInMs: retryMs,
        });
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, 30_000);
      }
    }
  };
  void run();

  return {
    ready,
    objects: () => objects.values(),
    get apiVersion() {
      return apiVersion;
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      controller.abort();
    },
  };
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
}
