import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { replayEvent } from "../../src/listener/replay-event.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { createSecretResolver } from "../../src/config/secret-resolver.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";

describe("replay", () => {
  let app: TestApp | undefined;
  afterEach(async () => app?.close());

  it("runs a stored event again as a new, linked event that does not take the delivery id", async () => {
    app = await createTestApp(EXAMPLE_CONFIG);
    const body = githubFixture("push");
    const first = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-GitHub-Delivery", "r-1")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(wire(body));
    const originalId = (first.body as { eventID: string }).eventID;
    const original = await app.journal.getEvent(originalId);
    expect(original).toBeDefined();
    if (original === undefined) return;
    // The signature is kept in the journal (it is not a secret), so the replay verifies again.
    const result = await replayEvent(original, {
      config: app.config,
      secrets: createSecretResolver({ fromConfig: app.config.secrets }),
      log: createCapturingLogger().log,
      deadlineMs: 1000,
      journal: app.journal,
    });
    expect(result.event.outcome).toBe("fired");
    expect(result.event.replayOf).toBe(originalId);
    expect(result.event.id).not.toBe(originalId);
    // The original keeps the delivery id: a redelivery is still a duplicate of it.
    expect(await app.journal.findDeliveryIdOwner("default/github-listener", "r-1")).toMatchObject({
      eventId: originalId,
    });
    const written = await app.written();
    expect(
      written
        .map(
          (w) =>
            (w.resource["metadata"] as { labels: Record<string, string> }).labels[
              "triggers.tekton.dev/triggers-eventid"
            ],
        )
        .sort(),
    ).toEqual([originalId, result.event.id].sort());
  });

  it("in a dry run, stores nothing and creates nothing", async () => {
    app = await createTestApp(EXAMPLE_CONFIG);
    const body = githubFixture("push");
    const first = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(wire(body));
    await app.written();
    const original = await app.journal.getEvent((first.body as { eventID: string }).eventID);
    if (original === undefined) throw new Error("not stored");
    const result = await replayEvent(original, {
      config: app.config,
      secrets: createSecretResolver({ fromConfig: app.config.secrets }),
      log: createCapturingLogger().log,
      deadlineMs: 1000,
      journal: undefined,
    });
    expect(result.runs).toHaveLength(1);
    expect(await app.journal.getEvent(result.event.id)).toBeUndefined();
    expect(await app.written()).toHaveLength(1);
  });
});
