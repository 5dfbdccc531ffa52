import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { HooklineError } from "../../src/errors/hookline-error.js";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import type { Journal } from "../../src/store/types.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";
import { noGroupOps, noPatches } from "../support/no-patches.js";

async function send(
  app: TestApp,
  event: "push" | "ping",
  deliveryId: string,
  secret = EXAMPLE_SECRET,
  path = "/",
): Promise<request.Response> {
  const body = githubFixture(event);
  return request(app.server)
    .post(path)
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", event)
    .set("X-GitHub-Delivery", deliveryId)
    .set("X-Hub-Signature-256", await signGithub(body, secret))
    .send(wire(body));
}

describe("dedup by the provider's delivery id", () => {
  let app: TestApp | undefined;
  afterEach(async () => app?.close());

  it("answers a redelivery of an event that fired with 200, the original eventID, and creates nothing", async () => {
    app = await createTestApp(EXAMPLE_CONFIG);
    const first = await send(app, "push", "d-1");
    expect(first.status).toBe(202);
    const again = await send(app, "push", "d-1");
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      eventID: (first.body as { eventID: string }).eventID,
      deliveryId: "d-1",
      duplicate: true,
    });
    expect(await app.written()).toHaveLength(1);
    // The duplicate is in the event log, pointing at the original.
    const page = await app.journal.listEvents({ limit: 10, outcome: "duplicate" });
    expect(page.events.map((e) => e.duplicateOf)).toEqual([
      (first.body as { eventID: string }).eventID,
    ]);
  });

  it("processes again a redelivery of an event that fired nothing (filtered, or rejected)", async () => {
    app = await createTestApp(EXAMPLE_CONFIG);
    expect((await send(app, "ping", "d-2")).status).toBe(202);
    const again = await send(app, "ping", "d-2");
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ duplicate: false });

    // A wrong secret at first, fixed on GitHub's side, then "Redeliver": it must fire.
    expect((await send(app, "push", "d-3", "old-secret")).status).toBe(401);
    const fixed = await send(app, "push", "d-3");
    expect(fixed.status).toBe(202);
    expect(await app.written()).toHaveLength(1);
  });

  it("processes again a redelivery of an event whose deliveries all went to dead letter", async () => {
    const failing = {
      kind: "local" as const,
      create: () =>
        Promise.reject(
          new HooklineError("HL_SINK_WRITE_FAILED", "422 invalid", { retryable: false }),
        ),
      patch: noPatches,
      ...noGroupOps,
    };
    app = await createTestApp(EXAMPLE_CONFIG, { sink: failing });
    expect((await send(app, "push", "d-4")).status).toBe(202);
    await app.worker.drain();
    const again = await send(app, "push", "d-4");
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ duplicate: false });
  });

  it("keeps delivery ids apart per listener", async () => {
    app = await createTestApp(EXAMPLE_CONFIG);
    expect((await send(app, "push", "d-5")).status).toBe(202);
    // The same id at the same listener through its explicit path is still the same listener.
    expect(
      (await send(app, "push", "d-5", EXAMPLE_SECRET, "/listeners/default/github-listener")).status,
    ).toBe(200);
  });

  it("answers 503 and keeps nothing when the journal cannot store the event", async () => {
    const broken: Journal = {
      ...createMemoryJournal(),
      record: () => Promise.reject(new Error("disk I/O error")),
    };
    app = await createTestApp(EXAMPLE_CONFIG, { journal: broken });
    const res = await send(app, "push", "d-6");
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: "HL_JOURNAL_UNAVAILABLE" });
    expect(res.text).not.toContain("disk I/O");
    expect(await app.written()).toHaveLength(0);
  });
});
