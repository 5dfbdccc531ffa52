import type { Logger } from "../core/logger.js";
import type { GroupAddress, GroupRun, GroupRunStore } from "./types.js";

/** A GroupRunStore whose watch follows the config's namespaces (a reload may change them). */
export interface NamespacedGroupRunStore extends GroupRunStore {
  /** The namespaces to watch now; a changed set restarts the watch (none: no watch at all). */
  setNamespaces(namespaces: readonly string[]): Promise<void>;
}

/**
 * Wraps the cluster's store, made per set of namespaces by `create`, so that a reload that adds
 * or drops a namespace with a concurrency group restarts the watch over the new set (the old
 * watch is stopped first; the new one lists first and reports every group, so nothing is lost in
 * between). `list` and `delete` name their own namespace and go to the current store. With no
 * namespace, no store is made and no watch runs: nothing is listed or watched in the cluster.
 */
export function createNamespacedGroupRunStore(options: {
  namespaces: readonly string[];
  create: (namespaces: readonly string[]) => GroupRunStore;
  log: Logger;
}): NamespacedGroupRunStore {
  let namespaces = [...options.namespaces].sort();
  let store: GroupRunStore | undefined =
    namespaces.length === 0 ? undefined : options.create(namespaces);
  let onChange: ((group: GroupAddress) => void) | undefined;
  let watching: { stop(): Promise<void> } | undefined;
  /** Reloads apply one after another. */
  let chain: Promise<void> = Promise.resolve();
  const current = (): GroupRunStore => {
    store ??= options.create(namespaces);
    return store;
  };
  return {
    list: (group: GroupAddress): Promise<GroupRun[]> => current().list(group),
    delete: (run: GroupRun): Promise<void> => current().delete(run),
    watch(handler) {
      onChange = handler;
      if (store !== undefined) watching = store.watch(handler);
      return {
        async stop() {
          onChange = undefined;
          await chain;
          const w = watching;
          watching = undefined;
          await w?.stop();
        },
      };
    },
    setNamespaces(next) {
      const sorted = [...new Set(next)].sort();
      chain = chain.then(async () => {
        if (sorted.join("\n") === namespaces.join("\n")) return;
        options.log.info("concurrency group watch: namespaces changed", {
          before: namespaces,
          after: sorted,
        });
        const old = watching;
        watching = undefined;
        await old?.stop();
        namespaces = sorted;
        store = sorted.length === 0 ? undefined : options.create(sorted);
        if (store !== undefined && onChange !== undefined) watching = store.watch(onChange);
      });
      return chain;
    },
  };
}
