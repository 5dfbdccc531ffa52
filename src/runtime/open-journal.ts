import { assertNever } from "../errors/assert-never.js";
import type { StoreSettings } from "../settings/types.js";
import { createJournal, describeStore } from "../store/create-journal.js";
import type { Journal } from "../store/types.js";
import type { JournalLock } from "./journal-lock.js";

/**
 * The store spec createJournal reads for these settings (the way HOOKLINE_STORE is written), so
 * that the journal's own factory stays the one place that opens one.
 */
function storeSpec(store: StoreSettings): string {
  switch (store.kind) {
    case "postgres":
      return store.url;
    case "memory":
      return "memory";
    case "sqlite":
      // The prefix keeps a file named "memory" (`sqlite:memory`) a file.
      return `sqlite:${store.path}`;
    default:
      return assertNever(store);
  }
}

/**
 * Opens the journal the settings name (PostgreSQL's client is loaded only when used). `lock` is
 * the SQLite file's lock when the caller took it (`serve`): only then are claims left in the file
 * voided, since their holder is gone. Without it (`replay`) a running server's claims stay.
 */
export function openJournal(store: StoreSettings, lock?: JournalLock): Promise<Journal> {
  return createJournal(storeSpec(store), { holdsLock: lock !== undefined });
}

/** The store for a log line: a URL's password is hidden. */
export function describeStoreSettings(store: StoreSettings): string {
  return store.kind === "sqlite" ? store.path : describeStore(storeSpec(store));
}
