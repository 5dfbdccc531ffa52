import { createHmac } from "node:crypto";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/admin/metrics.js";
import { createJournalBudget, type JournalBudget } from "../../src/store/journal-budget.js";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import type { Journal } from "../../src/store/types.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, githubFixture, wire } from "../support/fixtures.js";
import { createTestApp, type TestApp } from "../support/test-app.js";

/**
 * HOOKLINE_JOURNAL_MAX: requests nobody authenticated never take the journal past its cap (their
 * metadata rows are dropped and counted), while signed deliveries are stored whatever the size.
 */
describe("the journal's total cap", () => {
  let app: TestApp;
  let journal: Journal;
  let budget: JournalBudget;
  let metrics: Metrics;

  beforeAll(async () => {
    journal = createMemoryJournal();
    metrics = createMetrics(journal);
    budget = createJournalBudget({
      journal,
      maxBytes: 6_000,
      filteredBytes: 1_000_000,
      log: createCapturingLogger().log,
      onChecked: (sizes, evicted) => metrics.journalChecked(sizes, evicted),
    });
    app = await createTestApp(EXAMPLE_CONFIG, { journal, metrics, journalBudget: budget });
  });
  afterAll(async () => {
    await app.close();
  });

  const push = githubFixture("push");
  const send = (signature: string, delivery: string) =>
    request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-GitHub-Delivery", delivery)
      .set("X-Hub-Signature-256", signature)
      .send(wire(push));

  it("drops unauthenticated rows past the cap, keeps every signed event, and says so in /metrics", async () => {
    await budget.enforce();
    for (let i = 0; i < 60; i++)
      expect((await send(`sha256=${"0".repeat(64)}`, `bad-${i}`)).status).toBe(401);
    const good = `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(push).digest("hex")}`;
    for (let i = 0; i < 3; i++) expect((await send(good, `good-${i}`)).status).toBe(202);

    const { events } = await journal.listEvents({ limit: 1000 });
    const unauthenticated = events.filter((e) => e.outcome === "rejected");
    expect(events.filter((e) => e.outcome === "fired")).toHaveLength(3);
    // Some rows fit under the cap; the rest were dropped, not stored.
    expect(unauthenticated.length).toBeGreaterThan(0);
    expect(unauthenticated.length).toBeLessThan(60);
    await budget.enforce();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /hookline_unauthenticated_dropped_total\{[^}]*reason="journal-full"[^}]*\} \d+/,
    );
    expect(text).toMatch(/hookline_journal_bytes\{part="total"\} \d+/);
  });
});
