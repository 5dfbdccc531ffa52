import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/admin/metrics.js";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import type { Journal } from "../../src/store/types.js";
import { EXAMPLE_SECRET, ROOT, wire } from "../support/fixtures.js";
import { createTestApp, type TestApp } from "../support/test-app.js";

/**
 * The listener's side of supersede (issue 12), through the planner: three pull_request events of
 * one pull request reach examples/concurrency (a cancel-in-progress group per pull request) while
 * no worker claims (the cluster is down), so each one supersedes the run before it; what record()
 * says it superseded is counted in hookline_runs_superseded_total{listener} and logged once, at
 * info.
 */
describe("superseded runs on the listener path", () => {
  let app: TestApp;
  let journal: Journal;
  let metrics: Metrics;

  beforeAll(async () => {
    const memory = createMemoryJournal();
    journal = { ...memory, claimDueRuns: () => Promise.resolve([]) };
    metrics = createMetrics(journal);
    app = await createTestApp(join(ROOT, "examples/concurrency"), { journal, metrics });
  });
  afterAll(async () => {
    await app.close();
  });

  const body = readFileSync(join(ROOT, "test/fixtures/github/pull_request.opened.json"));
  const signature = `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(body).digest("hex")}`;
  const send = (delivery: string) =>
    request(app.server)
      .post("/listeners/ci/ci-listener")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "pull_request")
      .set("X-GitHub-Delivery", delivery)
      .set("X-Hub-Signature-256", signature)
      .send(wire(body));

  it("counts each superseded run and logs which event superseded how many", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await send(`push-${i}`);
      expect(answer.status).toBe(202);
      ids.push(answer.headers["x-hookline-event-id"] as string);
    }
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/hookline_runs_superseded_total\{listener="[^"]+"\} 2\n/);
    const lines = app.logs.entries.filter(
      (e) => e.message === "superseded runs of a concurrency group",
    );
    expect(lines.map((e) => [e.level, e.supersededBy, e.superseded])).toEqual([
      ["info", ids[1], 1],
      ["info", ids[2], 1],
    ]);
    const runs = await journal.getRuns(ids[0] ?? "");
    expect(runs.map((r) => [r.state, r.supersededBy, r.concurrency?.group])).toEqual([
      ["superseded", ids[1], "Codertocat/Hello-World#2"],
    ]);
    const [last] = await journal.getRuns(ids[2] ?? "");
    expect(last?.state).toBe("pending");
  });
});
