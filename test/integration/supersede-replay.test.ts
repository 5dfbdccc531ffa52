import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import type { Journal } from "../../src/store/types.js";
import { EXAMPLE_SECRET, ROOT, wire } from "../support/fixtures.js";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";

/**
 * The replay path's side of supersede (issue 12): a replay is a new event, the newest of its
 * concurrency group, so replaying a pull_request event on examples/concurrency (a
 * cancel-in-progress group per pull request) while no worker claims supersedes the original's
 * run; the admin port counts it in hookline_runs_superseded_total{listener} and the replay logs
 * it, as the listener path does.
 */
describe("superseded runs on the replay path", () => {
  let t: TestAdmin;
  let journal: Journal;

  beforeAll(async () => {
    const memory = createMemoryJournal();
    journal = { ...memory, claimDueRuns: () => Promise.resolve([]) };
    t = await createTestAdmin(join(ROOT, "examples/concurrency"), { journal });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it("counts and logs the run a replay superseded", async () => {
    const body = readFileSync(join(ROOT, "test/fixtures/github/pull_request.opened.json"));
    const signature = `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(body).digest("hex")}`;
    const answer = await request(t.app.server)
      .post("/listeners/ci/ci-listener")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "pull_request")
      .set("X-GitHub-Delivery", "push-0")
      .set("X-Hub-Signature-256", signature)
      .send(wire(body));
    expect(answer.status).toBe(202);
    const original = answer.headers["x-hookline-event-id"] as string;

    const replay = await request(t.admin)
      .post(`/api/v1/events/${original}/replay`)
      .set("Content-Type", "application/json");
    expect(replay.status).toBe(202);
    const replayId = (replay.body as { eventID: string }).eventID;

    const [run] = await journal.getRuns(original);
    expect([run?.state, run?.supersededBy]).toEqual(["superseded", replayId]);
    expect(await t.metrics.registry.metrics()).toMatch(
      /hookline_runs_superseded_total\{listener="ci\/ci-listener"\} 1\n/,
    );
    const lines = t.app.logs.entries.filter(
      (e) => e.message === "superseded runs of a concurrency group",
    );
    expect(lines.map((e) => [e.level, e.supersededBy, e.superseded])).toEqual([
      ["info", replayId, 1],
    ]);
  });
});
