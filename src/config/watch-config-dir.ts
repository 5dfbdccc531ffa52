import { watch, type FSWatcher } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Logger } from "../core/logger.js";
import type { CompiledConfig } from "./compiled.js";
import { formatIssue, hasDocumentErrors } from "./load-config.js";

export const DEFAULT_DEBOUNCE_MS = 200;

export interface ConfigWatchOptions {
  /** The config directory (or single file) `serve --config` named. */
  dir: string;
  /** Loads and compiles the directory again (loadConfigDir with the same registry). */
  load: () => Promise<CompiledConfig>;
  /** Puts a validated config in force; called only for a config without document errors. */
  apply: (config: CompiledConfig) => void;
  log: Logger;
  /** Counts each reload as a success or a failure (hookline_config_reloads_total). */
  metrics?: { configReloaded(ok: boolean): void } | undefined;
  /** How long the files must be quiet before a change is loaded (default 200 ms). */
  debounceMs?: number;
  /** false: no file watching; reloads happen only through `reload()` (SIGHUP). */
  watch?: boolean;
}

export interface ConfigWatcher {
  /**
   * Loads the directory now and, if it has no document errors, swaps it in. Resolves true when the
   * new config is in force. Calls during a reload queue one more reload, which reads the newest
   * files; calls while one is queued share it.
   */
  reload(reason: string): Promise<boolean>;
  /** Stops watching; a reload in flight finishes but applies nothing. */
  close(): void;
}

/**
 * Watches the config directory and reloads it on change, with serve's rule: the whole directory
 * is validated, then swapped atomically; a broken change is reported (file:line:column field)
 * and the last good config stays in force.
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
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<boolean> | undefined;

  const reloadOnce = async (reason: string): Promise<boolean> => {
    let config: CompiledConfig;
    try {
      config = await options.load();
    } catch (err) {
      if (closed) return false;
      log.error("config reload failed; the last good config stays in force", {
        reason,
        error: (err as Error).message,
      });
      options.metrics?.configReloaded(false);
      return false;
    }
    if (closed) return false;
    if (hasDocumentErrors(config.issues)) {
      let errors = 0;
      for (const issue of config.issues) {
        if (issue.severity !== "error" || issue.class !== "document") continue;
        errors++;
        log.error("config error", { issue: formatIssue(issue) });
      }
      log.error("config reload refused; the last good config stays in force", { reason, errors });
      options.metrics?.configReloaded(false);
      return false;
    }
    let warnings = 0;
    for (const issue of config.issues) {
      if (issue.severity === "note") {
        log.debug("config note", { issue: formatIssue(issue) });
      } else {
        warnings++;
        log.warn("config warning", { issue: formatIssue(issue) });
      }
    }
    options.apply(config);
    log.info("config reloaded", {
      reason,
      listeners: config.listeners.length,
      triggers: config.listeners.reduce((n, l) => n + l.triggers.length, 0),
      warnings,
    });
    options.metrics?.configReloaded(true);
    return true;
  };

  const reload = (reason: string): Promise<boolean> => {
    if (queued !== undefined) return queued;
    const next = chain.then(() => {
      queued = undefined;
      return reloadOnce(reason);
    });
    queued = next;
    chain = next.catch(() => undefined);
    return next;
  };

  const changed = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void syncWatchers().then(() => reload("file change"));
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
    reload,
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
