/**
 * Triggers an event is not for, end to end through the real listener (issue 10 item 3, issue 13
 * item 4): the journal keeps them compact, the API and the page fold them into one line, the
 * list shows a count instead of a badge each.
 */
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestAdmin, type TestAdmin } from "../../support/test-admin.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../../support/fixtures.js";

const SUMMARY = "4 triggers did not apply: 2 for gitlab, 1 for bitbucket, 1 other event type";

describe("a GitHub ping on the example listener (four triggers, none for a ping)", () => {
  let t: TestAdmin;
  let id: string;
  beforeAll(async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const body = githubFixture("ping");
    const res = await request(t.app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "ping")
      .set("X-GitHub-Delivery", "na-1")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(wire(body));
    expect(res.status).toBe(202);
    id = (res.body as { eventID: string }).eventID;
  });
  afterAll(async () => t.app.close());

  it("is journaled with no trace for them: each one's name and what ruled it out", async () => {
    const stored = await t.app.journal.getEvent(id);
    expect(stored?.traces).toEqual([]);
    expect(stored?.notApplicable).toEqual([
      {
        trigger: "github-push",
        ruledOutBy: {
          fact: "eventType",
          seen: "ping",
          expected: ["push"],
          header: "X-GitHub-Event",
        },
      },
      expect.objectContaining({
        trigger: "gitlab-push",
        ruledOutBy: expect.objectContaining({ fact: "provider" }) as unknown,
      }),
      expect.objectContaining({ trigger: "gitlab-merge-request" }),
      expect.objectContaining({ trigger: "bitbucket-push" }),
    ]);
  });

  it("shows them folded in the API", async () => {
    const view = (await request(t.admin).get(`/api/v1/events/${id}`)).body as {
      triggers: unknown[];
      notApplicable: {
        count: number;
        summary: string;
        triggers: { trigger: string; message: string }[];
      };
    };
    expect(view.triggers).toEqual([]);
    expect(view.notApplicable).toMatchObject({ count: 4, summary: SUMMARY });
    expect(view.notApplicable.triggers[0]).toMatchObject({
      trigger: "github-push",
      message: "event type ping; this trigger listens to push",
    });
    const list = (await request(t.admin).get("/api/v1/events")).body as {
      events: { id: string; triggers: unknown[]; notApplicable: number }[];
    };
    expect(list.events.find((e) => e.id === id)).toMatchObject({ triggers: [], notApplicable: 4 });
  });

  it("shows one folded line on the event page, not a stop card each", async () => {
    const page = (await request(t.admin).get(`/ui/events/${id}`)).text;
    expect(page.split(SUMMARY)).toHaveLength(3); // the verdict banner and the folded line
    expect(page).toContain('<details class="card not-applicable">');
    expect(page).not.toMatch(/class="card (stopped|filtered)"/);
    expect(page).not.toContain('<tr class="stopper">');
    expect(page).not.toContain("is not allowed");
  });

  it("carries a count on the list row, not a grey badge per trigger", async () => {
    const page = (await request(t.admin).get("/ui/")).text;
    expect(page).toContain("4 did not apply");
    expect(page).not.toMatch(/class="badge not_applicable"/);
    expect(page).not.toContain("github-push: not_applicable");
  });
});
