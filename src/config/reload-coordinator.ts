import type { Logger } from "../core/logger.js";
import type { CompiledConfig } from "./compiled.js";
import { formatIssue, hasDocumentErrors } from "./load-config.js";

export interface ReloadOptions {
  /** Loads and compiles the whole config again (the directory, the cluster, or both). */
  load: () => Promise<CompiledConfig>;
  /** Puts a validated config in force; called only for a config without document errors. */
  apply: (config: CompiledConfig) => void;
  log: Logger;
  /** Counts each reload as a success or a failure (hookline_config_reloads_total). */
  metrics?: { configReloaded(ok: boolean): void } | undefined;
}

export interface ReloadCoordinator {
  /**
   * Loads the config now and, if it has no document errors, swaps it in. Resolves true when the
   * new config is in force. Calls during a reload queue one more reload, which reads the newest
   * state; calls while one is queued share it.
   */
  reload(reason: string): Promise<boolean>;
  /** A reload in flight finishes but applies nothing; later calls do nothing. */
  close(): void;
}

/**
 * serve's reload rule, whatever asked for the reload (a file change, SIGHUP, a change in the
 * cluster): the whole config is loaded and validated, then swapped atomically; a broken one is
 * reported (file:line:column field) and the last good config stays in force. Reloads never
 * overlap.
 */
export function createReloadCoordinator(options: ReloadOptions): ReloadCoordinator {
  const { log } = options;
  let closed = false;
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

  return {
    reload(reason) {
      return closed ? Promise.resolve(false) : reload(reason);
    },
    close() {
      closed = true;
    },
  };
}
