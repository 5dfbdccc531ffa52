import {
  ApiException,
  Watch,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { Logger } from "../../core/logger.js";
import { groupHashOf, parseGroupRun } from "../../concurrency/parse-group-run.js";
import {
  LABEL_GROUP_HASH,
  type ConcurrentKind,
  type GroupAddress,
  type GroupRun,
  type GroupRunStore,
} from "../../concurrency/types.js";
import { createObjectClient, type ObjectClient } from "./create-object-client.js";
import { classifyKubeError } from "./classify-kube-error.js";
import { loadKubeConfig } from "./load-kube-config.js";
import { byOrder } from "../../concurrency/by-order.js";

export interface KubeGroupRunStoreOptions {
  /** Default: found as kubectl finds it (`loadKubeConfig`). */
  kubeConfig?: KubeConfig;
  /** The namespaces hookline creates runs into: one watch per namespace and kind. */
  namespaces: readonly string[];
  log: Logger;
  /** Each list and delete (default 15 s). */
  requestTimeoutMs?: number;
  /** How long one watch runs before the API server ends it (`timeoutSeconds`; default 300). */
  watchSeconds?: number;
  /** First wait after a failed list or watch (default 1 s; doubles up to 30 s). */
  retryMs?: number;
}

/** The kinds watched, and the tekton.dev versions to watch them at, preferred first. */
const WATCHED: readonly { kind: ConcurrentKind; plural: string }[] = [
  { kind: "PipelineRun", plural: "pipelineruns" },
  { kind: "TaskRun", plural: "taskruns" },
];
const VERSIONS = ["tekton.dev/v1", "tekton.dev/v1beta1"] as const;
const MAX_RETRY_MS = 30_000;
/** How long to wait before looking again for a kind no version of which is served. */
const UNSERVED_RECHECK_MS = 30_000;

/**
 * The runs of concurrency groups in the cluster (issue 12), for the group scheduler: a
 * label-selector list of a group, the delete of a finished run (max-keep-runs), and one watch
 * per namespace and kind of the runs carrying the group-hash label. Acts as hookline itself (its
 * own ServiceAccount needs list, watch and delete on tekton.dev pipelineruns and taskruns);
 * cancels and starts are not here (journaled deliveries through the sink, as the trigger's
 * service account).
 *
 * The watch lists first (at the first tekton.dev version served: v1, else v1beta1), reports every
 * group the list shows, then watches from the list's resourceVersion. A watch event is reported
 * when a run is added or deleted or its phase changes (a running PipelineRun's status is written
 * at every step; those are not reported). Whenever a watch ends, by the server's timeout, a
 * closed stream, 410 Gone or an error (then after a backoff of 1 s doubling to 30 s), it lists
 * again and reports every group it knows, those seen before included (a run deleted while the
 * watch was down leaves no trace in the list): nothing missed in between is lost.
 */
export function createKubeGroupRunStore(options: KubeGroupRunStoreOptions): GroupRunStore {
  const kubeConfig = options.kubeConfig ?? loadKubeConfig();
  const client = createObjectClient(kubeConfig, {
    impersonate: undefined,
    timeoutMs: options.requestTimeoutMs ?? 15_000,
  });
  return {
    async list(group: GroupAddress): Promise<GroupRun[]> {
      const what = `${group.kind}s of group ${group.groupHash} in "${group.namespace}"`;
      try {
        const { items } = await listItems(
          client,
          group.apiVersion,
          group.kind,
          group.namespace,
          group.groupHash,
        );
        const source = {
          apiVersion: group.apiVersion,
          kind: group.kind,
          namespace: group.namespace,
        };
        return items
          .map((item) => parseGroupRun(item, source))
          .filter((r): r is GroupRun => r !== undefined)
          .sort(byOrder);
      } catch (err) {
        throw classifyKubeError(err, what);
      }
    },
    async delete(run: GroupRun): Promise<void> {
      try {
        // Background: the API server's garbage collector then removes the run's TaskRuns and
        // pods, as `kubectl delete` does.
        await client.delete(
          {
            apiVersion: run.apiVersion,
            kind: run.kind,
            metadata: { name: run.name, namespace: run.namespace },
          },
          undefined,
          undefined,
          undefined,
          undefined,
          "Background",
        );
        options.log.info("deleted a finished run of a concurrency group (max-keep-runs)", {
          kind: run.kind,
          namespace: run.namespace,
          name: run.name,
        });
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return;
        throw classifyKubeError(err, `${run.kind} "${run.namespace}/${run.name}"`);
      }
    },
    watch(onChange: (group: GroupAddress) => void): { stop(): Promise<void> } {
      const loops = options.namespaces.flatMap((namespace) =>
        WATCHED.map((w) =>
          watchLoop({
            client,
            kubeConfig,
            namespace,
            kind: w.kind,
            plural: w.plural,
            log: options.log,
            watchSeconds: options.watchSeconds ?? 300,
            firstRetryMs: options.retryMs ?? 1_000,
            onChange,
          }),
        ),
      );
      return {
        async stop() {
          await Promise.all(loops.map((l) => l.stop()));
        },
      };
    },
  };
}

async function listItems(
  client: ObjectClient,
  apiVersion: string,
  kind: string,
  namespace: string,
  groupHash: string | undefined,
): Promise<{ items: KubernetesObject[]; resourceVersion: string | undefined }> {
  const list = await client.list(
    apiVersion,
    kind,
    namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    groupHash === undefined ? LABEL_GROUP_HASH : `${LABEL_GROUP_HASH}=${groupHash}`,
  );
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
}

interface WatchLoopOptions {
  client: ObjectClient;
  kubeConfig: KubeConfig;
  namespace: string;
  kind: ConcurrentKind;
  plural: string;
  log: Logger;
  watchSeconds: number;
  firstRetryMs: number;
  onChange: (group: GroupAddress) => void;
}

/** One namespace and kind: list, report, watch; again whenever the watch ends. */
function watchLoop(o: WatchLoopOptions): { stop(): Promise<void> } {
  const { namespace, kind, log } = o;
  let stopped = false;
  let controller: AbortController | undefined;
  /** Ends the watch under way at once (stop must not wait for the network). */
  let endCurrent: (() => void) | undefined;
  let wake: (() => void) | undefined;
  let sleepTimer: NodeJS.Timeout | undefined;
  /** Every group seen here, by hash (reported again after each list). */
  const known = new Map<string, GroupAddress>();
  /** Each run's phase as last seen: a MODIFIED that changes none is not reported. */
  let phases = new Map<string, string>();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      sleepTimer = setTimeout(resolve, ms);
      sleepTimer.unref();
    });

  const report = (address: GroupAddress): void => {
    try {
      o.onChange(address);
    } catch (err) {
      // The scheduler's own failure must not stop the watch; it resyncs on its own.
      log.error("concurrency group watch: the change handler threw", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  };

  /** Lists at the first served version; undefined when none is served. */
  const listServed = async (): Promise<
    | { apiVersion: string; items: KubernetesObject[]; resourceVersion: string | undefined }
    | undefined
  > => {
    for (const apiVersion of VERSIONS) {
      try {
        return {
          apiVersion,
          ...(await listItems(o.client, apiVersion, kind, namespace, undefined)),
        };
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) continue;
        throw err;
      }
    }
    return undefined;
  };

  const run = async (): Promise<void> => {
    let retryMs = o.firstRetryMs;
    while (!stopped) {
      let failed: boolean;
      try {
        const listed = await listServed();
        if (stopped) return;
        if (listed === undefined) {
          log.warn(
            "concurrency group watch: no tekton.dev version of the kind is served (is Tekton Pipelines installed?)",
            {
              kind,
              namespace,
            },
          );
          await sleep(UNSERVED_RECHECK_MS);
          continue;
        }
        const { apiVersion } = listed;
        const next = new Map<string, string>();
        for (const item of listed.items) {
          const hash = groupHashOf(item);
          const parsed = parseGroupRun(item, { apiVersion, kind, namespace });
          if (hash === undefined || parsed === undefined) continue;
          next.set(parsed.name, parsed.phase);
          known.set(hash, { apiVersion, kind, namespace, groupHash: hash });
        }
        phases = next;
        for (const address of known.values()) report({ ...address, apiVersion });
        retryMs = o.firstRetryMs;
        failed = await watchOnce(
          apiVersion,
          listed.resourceVersion,
          () => (retryMs = o.firstRetryMs),
        );
      } catch (err) {
        failed = true;
        if (!stopped) {
          log.warn("concurrency group watch failed; listing and watching again", {
            kind,
            namespace,
            error: err instanceof Error ? err.message : String(err),
            retryInMs: retryMs,
          });
        }
      }
      if (failed && !stopped) {
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  };

  /**
   * One watch from `resourceVersion`, until it ends. Resolves false when the server ended it (or
   * answered 410 Gone: list again at once), true after an error (list again after a backoff).
   */
  const watchOnce = (
    apiVersion: string,
    resourceVersion: string | undefined,
    onEvent: () => void,
  ): Promise<boolean> =>
    new Promise((resolve, reject) => {
      endCurrent = () => resolve(false);
      let idle: NodeJS.Timeout | undefined;
      const idleMs = (o.watchSeconds + 30) * 1000;
      const arm = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => controller?.abort(new Error("watch idle")), idleMs);
        idle.unref();
      };
      const path = `/apis/${apiVersion}/namespaces/${namespace}/${o.plural}`;
      const watch = new Watch(o.kubeConfig);
      arm();
      watch
        .watch(
          path,
          {
            labelSelector: LABEL_GROUP_HASH,
            allowWatchBookmarks: true,
            timeoutSeconds: o.watchSeconds,
            ...(resourceVersion === undefined ? {} : { resourceVersion }),
          },
          (type: string, object: unknown) => {
            arm();
            onEvent();
            if (type === "ERROR") {
              // 410 Gone (the resourceVersion is too old) or another Status: list again.
              controller?.abort();
              return;
            }
            if (type === "BOOKMARK") return;
            handleEvent(type, object, apiVersion);
          },
          (err: unknown) => {
            clearTimeout(idle);
            controller = undefined;
            resolve(!(err === null || err === undefined || stopped || isAbort(err)));
          },
        )
        .then((c) => {
          controller = c;
          if (stopped) c.abort();
        })
        .catch((err: unknown) => {
          clearTimeout(idle);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });

  const handleEvent = (type: string, object: unknown, apiVersion: string): void => {
    const hash = groupHashOf(object);
    const parsed = parseGroupRun(object, { apiVersion, kind, namespace });
    if (hash === undefined || parsed === undefined) return;
    const address: GroupAddress = { apiVersion, kind, namespace, groupHash: hash };
    known.set(hash, address);
    if (type === "DELETED") {
      phases.delete(parsed.name);
    } else {
      if (type === "MODIFIED" && phases.get(parsed.name) === parsed.phase) return;
      phases.set(parsed.name, parsed.phase);
    }
    report(address);
  };

  const done = run().catch((err: unknown) => {
    log.error("concurrency group watch stopped", {
      kind,
      namespace,
      error: err instanceof Error ? err.message : String(err),
    });
  });

  return {
    async stop() {
      stopped = true;
      clearTimeout(sleepTimer);
      wake?.();
      controller?.abort();
      endCurrent?.();
      await done;
    },
  };
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || err.message === "watch idle");
}
