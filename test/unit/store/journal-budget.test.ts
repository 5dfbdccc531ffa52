import { describe, expect, it } from "vitest";
import { createJournalBudget } from "../../../src/store/journal-budget.js";
import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import type { StoredBytes } from "../../../src/store/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { at, makeEvent } from "./journal-contract.js";

const filtered = (n: number, ms: number) =>
  makeEvent({ receivedAt: at(ms), body: { kind: "kept", bytes: Buffer.alloc(n, 0x62) } });

describe("createJournalBudget", () => {
  it("evicts filtered bodies past their budget, oldest first, and reports the sizes", async () => {
    const journal = createMemoryJournal();
    const events = [filtered(4000, 1), filtered(4000, 2), filtered(4000, 3)];
    for (const e of events) await journal.record(e, []);
    const seen: { sizes: StoredBytes; evicted: number }[] = [];
    const budget = createJournalBudget({
      journal,
      maxBytes: undefined,
      filteredBytes: 5000,
      log: createCapturingLogger().log,
      onChecked: (sizes, evicted) => seen.push({ sizes, evicted }),
    });
    await budget.enforce();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.evicted).toBe(2);
    expect(seen[0]?.sizes.filteredBodies).toBe(4000);
    await expect(journal.getEvent(events[0]!.id)).resolves.toBeUndefined();
    await expect(journal.getEvent(events[2]!.id)).resolves.toBeDefined();
  });

  it("refuses unauthenticated rows past the total cap, counting those admitted since the check", async () => {
    const journal = createMemoryJournal();
    await journal.record(filtered(6000, 1), []);
    const budget = createJournalBudget({
      journal,
      maxBytes: 8000,
      filteredBytes: 1_000_000,
      log: createCapturingLogger().log,
    });
    // Before the first check nothing is known to be stored: the cap still holds for what comes.
    await budget.enforce();
    expect(budget.admitsUnauthenticated(1000)).toBe(true);
    expect(budget.admitsUnauthenticated(1000)).toBe(false);
    // Evicting makes room again at the next check.
    await journal.evictFiltered(6000);
    await budget.enforce();
    expect(budget.admitsUnauthenticated(1000)).toBe(true);
  });

  it("admits everything without a cap", async () => {
    const budget = createJournalBudget({
      journal: createMemoryJournal(),
      maxBytes: undefined,
      filteredBytes: 0,
      log: createCapturingLogger().log,
    });
    await budget.enforce();
    expect(budget.admitsUnauthenticated(10 ** 12)).toBe(true);
  });
});
