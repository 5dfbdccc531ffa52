import type { Logger } from "../core/logger.js";
import type { Journal, StoredBytes } from "./types.js";

export interface JournalBudgetOptions {
  journal: Journal;
  /** HOOKLINE_JOURNAL_MAX: unauthenticated rows are not stored past this total (undefined: no cap). */
  maxBytes: number | undefined;
  /** HOOKLINE_JOURNAL_FILTERED_MAX: filtered events' bodies past this are evicted, oldest first. */
  filteredBytes: number;
  log: Logger;
  /** Told the sizes after each check, and how many events were evicted (for /metrics). */
  onChecked?: (sizes: StoredBytes, evicted: number) => void;
}

export interface JournalBudget {
  /** Reads the journal's sizes and evicts filtered events past their budget (run periodically). */
  enforce(): Promise<void>;
  /**
   * Whether a metadata-only row of about `bytes` (a request nobody authenticated) may be stored:
   * never past the total cap, counting the rows admitted since the last check.
   */
  admitsUnauthenticated(bytes: number): boolean;
}

/**
 * The journal's size rules (issue 11): authenticated-but-filtered events are kept whole (they are
 * worth replaying) but their bodies share a budget, evicted oldest first; and the journal's total
 * is a cap that traffic from senders without the secret never takes it past. Events that fired,
 * and anything a trigger authenticated, are stored whatever the size: an accepted event is never
 * dropped for space (the disk-full path answers 503 instead).
 */
export function createJournalBudget(options: JournalBudgetOptions): JournalBudget {
  const { journal, maxBytes, filteredBytes, log } = options;
  let total = 0;
  let admittedSince = 0;
  let running: Promise<void> | undefined;
  const check = async (): Promise<void> => {
    let sizes = await journal.storedBytes();
    let evicted = 0;
    if (sizes.filteredBodies > filteredBytes) {
      evicted = await journal.evictFiltered(sizes.filteredBodies - filteredBytes);
      sizes = await journal.storedBytes();
      if (evicted > 0)
        log.info("filtered events evicted", { events: evicted, budget: filteredBytes });
    }
    total = sizes.total;
    admittedSince = 0;
    options.onChecked?.(sizes, evicted);
  };
  return {
    enforce() {
      // One check at a time: a slow journal is not asked twice over.
      running ??= check().finally(() => (running = undefined));
      return running;
    },
    admitsUnauthenticated(bytes) {
      if (maxBytes === undefined) return true;
      if (total + admittedSince + bytes > maxBytes) return false;
      admittedSince += bytes;
      return true;
    },
  };
}
