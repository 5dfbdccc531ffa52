import { watch, type FSWatcher } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Logger } from "../core/logger.js";
import type { ReloadCoordinator } from "./reload-coordinator.js";

export const DEFAULT_DEBOUNCE_MS = 200;

export interface ConfigWatchOptions {
  /** The config directory (or single file) `serve --config` named. */
  dir: string;
  /** Where a change goes: the reload rule, shared with SIGHUP and the cluster source. */
  coordinator: ReloadCoordinator;
  log: Logger;
  /** How long the files must be quiet before a change is loaded (default 200 ms). */
  debounceMs?: number;
  /** false: no file watching; reloads happen only through `reload()` (SIGHUP). */
  watch?: boolean;
}

export interface ConfigWatcher {
  /** Stops watching. */
  close(): void;
}

/**
 * Watches the config directory and hands each change (debounced) to the reload coordinator.
 *
 * Each directory is watched on its own (non-recursive `fs.watch`): Node 20's recursive mode on
 * Linux is a JavaScript emulation that has missed events in new subdirectories. A Kubernetes
 * ConfigMap volume updates by renaming its `..data` symlink in the top directory, which the
 * top directory's watcher sees. Resolves once the watches are in place.
 */
export async function watchConfigDir(options: ConfigWatchOptions): Promise<ConfigWatcher> {
  const { log } = options;
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const changed = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void syncWatchers().then(() => options.coordinator.reload("file change"));
    }, debounceMs);
  };

  const watchOne = (path: string, filter?: string): void => {
    if (watchers.has(path)) return;
    try {
      const w = watch(path, { persistent: false }, (_event, name) => {
        if (filter !== undefined && name !== null && name !== filter) return;
        changed();
      });
      w.on("error", (err: Error) => {
        // The directory went away (or was replaced): forget it; the next sync re-adds it.
        w.close();
        watchers.delete(path);
        log.debug("config watch stopped", { dir: path, error: err.message });
        changed();
      });
      watchers.set(path, w);
    } catch (err) {
      log.warn("config directory cannot be watched; reload with SIGHUP", {
        dir: path,
        error: (err as Error).message,
      });
    }
  };

  /** Watches every directory of the tree (new ones too) and forgets the ones that are gone. */
  const syncWatchers = async (): Promise<void> => {
    if (closed || options.watch === false) return;
    const wanted = new Map<string, string | undefined>();
    try {
      const info = await stat(options.dir);
      if (info.isDirectory()) {
        for (const d of await listDirs(options.dir)) wanted.set(d, undefined);
      } else {
        // A single file: watch its directory, since editors replace files by renaming.
        wanted.set(dirname(options.dir), basename(options.dir));
      }
    } catch {
      // The directory is missing right now (being replaced): keep what is watched; the reload
      // reports the missing directory, and the next event syncs again.
      return;
    }
    if (closed) return;
    for (const [path, w] of watchers) {
      if (!wanted.has(path)) {
        w.close();
        watchers.delete(path);
      }
    }
    for (const [path, filter] of wanted) watchOne(path, filter);
  };

  await syncWatchers();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}

/**
 * The directory and every subdirectory under it, except hidden ones, which the loader skips too
 * (a ConfigMap's `..2024_…` data directories; the rename of its `..data` link shows in the top
 * directory).
 */
async function listDirs(root: string): Promise<string[]> {
  const out = [root];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return; // Removed while walking: the change that removed it triggers another sync.
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith(".")) continue;
      const p = join(d, e.name);
      out.push(p);
      await walk(p);
    }
  };
  await walk(root);
  return out;
}
