import { JOURNAL_PROBE_INTERVAL_MS } from "../settings/defaults.js";
import type { JournalHealth } from "./types.js";

export interface WriteHealthOptions {
  /** A tiny write (the probe table); throws when the store refuses writes. */
  probe: () => Promise<void>;
  /** A read: can the store be reached at all? */
  ping: () => Promise<boolean>;
  /**
   * Why a failed write failed, fit for /ready (a fixed text and a code, never a driver's message:
   * those can carry a host, a user, a value), or undefined when the failure is the record's own
   * (a constraint, a value the store refuses) and says nothing of the store.
   */
  describeFailure: (err: unknown) => string | undefined;
  /** Default JOURNAL_PROBE_INTERVAL_MS; 0 probes at every check (tests). */
  probeIntervalMs?: number;
  now?: () => number;
}

/** What a journal tells about its writes, and what /ready asks. */
export interface WriteHealth {
  /** A record was stored. */
  succeeded(): void;
  /** A record failed: the journal is not ready if the failure was the store's. */
  failed(err: unknown): void;
  check(): Promise<JournalHealth>;
}

const READY: JournalHealth = { ready: true };

/**
 * Readiness from the last write outcome: the last record (or probe write) decides. With no write
 * for `probeIntervalMs`, a check makes a probe write first (concurrent checks share one), so a
 * journal that turned read-only while idle is seen, and one that failed recovers without traffic
 * (a pod that is not ready gets none). Between probes a check reads (ping), as /ready always did.
 */
export function createWriteHealth(options: WriteHealthOptions): WriteHealth {
  const interval = options.probeIntervalMs ?? JOURNAL_PROBE_INTERVAL_MS;
  const now = options.now ?? Date.now;
  let state: JournalHealth = READY;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  let probing: Promise<void> | undefined;

  const succeeded = (): void => {
    state = READY;
    lastWriteAt = now();
  };
  const refused = (reason: string): void => {
    state = { ready: false, reason };
    lastWriteAt = now();
  };
  const probe = (): Promise<void> => {
    // A probe that throws at once (a synchronous driver) counts as one that rejects.
    probing ??= new Promise<void>((resolve) => resolve(options.probe()))
      .then(succeeded, (err: unknown) =>
        refused(options.describeFailure(err) ?? "the journal refused a probe write"),
      )
      .finally(() => {
        probing = undefined;
      });
    return probing;
  };

  return {
    succeeded,
    failed(err) {
      const reason = options.describeFailure(err);
      if (reason !== undefined) refused(reason);
    },
    async check() {
      if (probing !== undefined || now() - lastWriteAt >= interval) {
        await probe();
        return state;
      }
      if (!state.ready) return state;
      return (await options.ping())
        ? READY
        : { ready: false, reason: "the journal cannot be reached" };
    },
  };
}
