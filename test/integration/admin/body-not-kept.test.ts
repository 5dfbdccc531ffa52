import request from "supertest";
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createUnauthenticatedQuota } from "../../../src/listener/unauthenticated-quota.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
} from "../../support/fixtures.js";
import { createTestAdmin, type TestAdmin } from "../../support/test-admin.js";

const WRONG = "sha256=" + "0".repeat(64);

async function sendPush(
  t: TestAdmin,
  body: Buffer,
  signature: string,
  path = "/?token=s3cret-in-query",
): Promise<request.Response> {
  return request(t.app.server)
    .post(path)
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", "push")
    .set("X-GitHub-Delivery", `d-${Math.random().toString(16).slice(2)}`)
    .set("X-Hub-Signature-256", signature)
    .set("X-Hook-Key", "custom-s3cret")
    .send(body.toString());
}

describe("events that no trigger authenticated and that fired nothing", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  it("are kept as metadata only: shown as 'body not kept', and their replay is refused (409)", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const body = githubFixture("push");
    const res = await sendPush(t, body, WRONG);
    expect(res.status).toBe(401);
    const id = (res.body as { eventID: string }).eventID;

    const view = await request(t.admin).get(`/api/v1/events/${id}`);
    expect(view.status).toBe(200);
    const event = view.body as {
      url: string;
      headers: Record<string, string[]>;
      outcome: string;
      body: Record<string, unknown>;
      triggers: { outcome: { kind: string } }[];
    };
    expect(event.outcome).toBe("rejected");
    expect(event.url).toBe("/");
    expect(event.body).toEqual({
      kept: false,
      bytes: body.length,
      sha256: createHash("sha256").update(body).digest("hex"),
      reason: "github-push: github: payload signature check failed",
    });
    expect(Object.keys(event.headers)).not.toContain("X-Hub-Signature-256");
    expect(Object.keys(event.headers)).not.toContain("X-Hook-Key");
    expect(event.headers["X-Github-Event"]).toEqual(["push"]);
    expect(JSON.stringify(view.body)).not.toContain("s3cret");

    const page = await request(t.admin).get(`/ui/events/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("body not kept");
    expect(page.text).not.toContain("Replay this event");

    const replay = await request(t.admin)
      .post(`/api/v1/events/${id}/replay`)
      .set("Content-Type", "application/json");
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ error: { code: "HL_EVENT_BODY_NOT_KEPT" } });
  });

  it("keep the body of an authenticated event that was filtered (it is worth replaying)", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    // A tag push: signed, so authenticated, then filtered out by the trigger's CEL filter.
    const body = Buffer.from(
      JSON.stringify({ ...JSON.parse(githubFixture("push").toString()), ref: "refs/tags/v1" }),
    );
    const res = await sendPush(t, body, await signGithub(body, EXAMPLE_SECRET), "/");
    expect(res.status).toBe(202);
    const id = (res.body as { eventID: string }).eventID;
    const stored = await t.app.journal.getEvent(id);
    expect(stored?.outcome).toBe("filtered");
    expect(stored?.body.kind === "kept" && stored.body.bytes.equals(body)).toBe(true);
    const view = await request(t.admin).get(`/api/v1/events/${id}`);
    expect((view.body as { body: { kept: boolean } }).body.kept).toBe(true);
  });

  it("are dropped past the listener's quota, counted in /metrics, and the sender's answer is the same", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG, {
      unauthenticatedQuota: createUnauthenticatedQuota({ perListener: 2, perSource: 100 }),
    });
    const body = Buffer.from('{"ref":"refs/heads/main"}');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await sendPush(t, body, WRONG);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: "HL_LISTENER_UNAUTHENTICATED" });
      ids.push((res.body as { eventID: string }).eventID);
    }
    const journal = t.app.journal;
    const stored = await Promise.all(ids.map((id) => journal.getEvent(id)));
    expect(stored.filter((e) => e !== undefined)).toHaveLength(2);
    const metrics = await request(t.admin).get("/metrics");
    expect(metrics.text).toContain(
      'hookline_unauthenticated_dropped_total{listener="default/github-listener",reason="listener-quota"} 3',
    );
  });

  it("are dropped past the source address's quota first", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG, {
      unauthenticatedQuota: createUnauthenticatedQuota({ perListener: 100, perSource: 1 }),
    });
    for (let i = 0; i < 3; i++) await sendPush(t, Buffer.from("{}"), WRONG);
    const metrics = await request(t.admin).get("/metrics");
    expect(metrics.text).toContain(
      'hookline_unauthenticated_dropped_total{listener="default/github-listener",reason="source-quota"} 2',
    );
  });

  it("include duplicates, kept as metadata and outside the quotas (every copy is on record)", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG, {
      unauthenticatedQuota: createUnauthenticatedQuota({ perListener: 1, perSource: 1 }),
    });
    const body = githubFixture("push");
    const signature = await signGithub(body, EXAMPLE_SECRET);
    const server = t.app.server;
    const copy = (): Promise<request.Response> =>
      request(server)
        .post("/")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set("X-GitHub-Delivery", "dup-1")
        .set("X-Hub-Signature-256", signature)
        .send(body.toString());
    expect((await copy()).status).toBe(202);
    const journal = t.app.journal;
    for (let i = 0; i < 3; i++) {
      const res = await copy();
      expect(res.status).toBe(200);
    }
    const page = await journal.listEvents({ limit: 10, outcome: "duplicate" });
    expect(page.events).toHaveLength(3);
    const dup = await journal.getEvent(page.events[0]?.id ?? "");
    expect(dup?.body.kind).toBe("not-kept");
  });
});
