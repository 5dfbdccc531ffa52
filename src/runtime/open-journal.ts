import { assertNever } from "../errors/assert-never.js";
import type { StoreSettings } from "../settings/types.js";
import { createJournal, describeStore } from "../store/create-journal.js";
import type { Journal } from "../store/types.js";

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

/** Opens the journal the settings name (PostgreSQL's client is loaded only when used). */
export function openJournal(store: StoreSettings): Promise<Journal> {
  return createJournal(storeSpec(store));
}

/** The store for a log line: a URL's password is hidden. */
export function describeStoreSettings(store: StoreSettings): string {
  return store.kind === "sqlite" ? store.path : describeStore(storeSpec(store));
}
