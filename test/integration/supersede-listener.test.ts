import { createHash, createHmac } from "node:crypto";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/admin/metrics.js";
import type { RunConcurrency } from "../../src/concurrency/types.js";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import type { Journal, PlannedRun } from "../../src/store/types.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, githubFixture, wire } from "../support/fixtures.js";
import { createTestApp, type TestApp } from "../support/test-app.js";

/**
 * The listener's side of supersede (issue 12): what record() says it superseded is counted in
 * hookline_runs_superseded_total{listener} and logged once, at info. The planner that fills
 * PlannedRun.concurrency is written apart: here the journal is handed runs with a group set as
 * it would set them, and no worker claims (the cluster is down), so every push supersedes the one
 * before it.
 */
describe("superseded runs on the listener path", () => {
  let app: TestApp;
  let journal: Journal;
  let metrics: Metrics;
  const group = "acme/web#42";
  const groupHash = createHash("sha256").update(group).digest("hex").slice(0, 40);
  const grouped = (run: PlannedRun, receivedAt: Date): PlannedRun => {
    const deliveryKey = run.deliveries[0]?.deliveryKey ?? run.id;
    const concurrency: RunConcurrency = {
      group,
      groupId: `${run.namespace}/${groupHash}`,
      groupHash,
      strategy: "cancel-in-progress",
      maxRunning: 1,
      maxKeepRuns: undefined,
      order: `${String(receivedAt.getTime()).padStart(13, "0")}.${deliveryKey}`,
      kind: "PipelineRun",
      apiVersion: "tekton.dev/v1",
      namespace: run.namespace,
    };
    return { ...run, concurrency };
  };

  beforeAll(async () => {
    const memory = createMemoryJournal();
    journal = {
      ...memory,
      record: (event, runs) =>
        memory.record(
          event,
          runs.map((r) => grouped(r, event.receivedAt)),
        ),
      claimDueRuns: () => Promise.resolve([]),
    };
    metrics = createMetrics(journal);
    app = await createTestApp(EXAMPLE_CONFIG, { journal, metrics });
  });
  afterAll(async () => {
    await app.close();
  });

  const push = githubFixture("push");
  const signature = `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(push).digest("hex")}`;
  const send = (delivery: string) =>
    request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-GitHub-Delivery", delivery)
      .set("X-Hub-Signature-256", signature)
      .send(wire(push));

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
    expect(runs.map((r) => [r.state, r.supersededBy])).toEqual([["superseded", ids[1]]]);
  });
});
