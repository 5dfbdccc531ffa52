import {
  UNAUTHENTICATED_MAX_SOURCES,
  UNAUTHENTICATED_ROWS_PER_LISTENER,
  UNAUTHENTICATED_ROWS_PER_SOURCE,
  UNAUTHENTICATED_WINDOW_MS,
} from "../settings/defaults.js";

/** Which quota a dropped metadata-only row ran into. */
/** Why a metadata-only row was not stored: a quota, or the journal's total cap (HOOKLINE_JOURNAL_MAX). */
export type UnauthenticatedDropReason = "listener-quota" | "source-quota" | "journal-full";

export interface UnauthenticatedQuotaOptions {
  perListener?: number;
  perSource?: number;
  windowMs?: number;
  maxSources?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

/** Decides whether one more metadata-only row may be journaled now. */
export interface UnauthenticatedQuota {
  /** Takes one row of both quotas and answers undefined, or says which one is spent. */
  admit(listener: string, source: string): UnauthenticatedDropReason | undefined;
}

/**
 * Fixed windows (a minute by default) counting metadata-only rows per listener and per source
 * address, in this process's memory: what an anonymous sender can add to the journal is bounded
 * by the quotas, whatever it sends. A row refused by its source's quota does not spend the
 * listener's. The counters start again at each window, so memory is bounded by `maxSources`.
 */
export function createUnauthenticatedQuota(
  options: UnauthenticatedQuotaOptions = {},
): UnauthenticatedQuota {
  const perListener = options.perListener ?? UNAUTHENTICATED_ROWS_PER_LISTENER;
  const perSource = options.perSource ?? UNAUTHENTICATED_ROWS_PER_SOURCE;
  const windowMs = options.windowMs ?? UNAUTHENTICATED_WINDOW_MS;
  const maxSources = options.maxSources ?? UNAUTHENTICATED_MAX_SOURCES;
  const now = options.now ?? Date.now;
  let window = -1;
  const listeners = new Map<string, number>();
  const sources = new Map<string, number>();
  return {
    admit(listener, source) {
      const current = Math.floor(now() / windowMs);
      if (current !== window) {
        window = current;
        listeners.clear();
        sources.clear();
      }
      const fromSource = sources.get(source);
      if (fromSource === undefined && sources.size >= maxSources) return "source-quota";
      if ((fromSource ?? 0) >= perSource) return "source-quota";
      const fromListener = listeners.get(listener) ?? 0;
      if (fromListener >= perListener) return "listener-quota";
      sources.set(source, (fromSource ?? 0) + 1);
      listeners.set(listener, fromListener + 1);
      return undefined;
    },
  };
}
