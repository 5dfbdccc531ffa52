import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnswer } from "../support/openapi-validator.js";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";

/** Every answer of both ports, of the kinds the suite produces, checked against openapi.yaml. */
describe("answers conform to openapi.yaml", () => {
  let t: TestAdmin;
  let fired: string;
  beforeAll(async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG, { maxBodyBytes: 10_000 });
    const body = githubFixture("push");
    const res = await request(t.app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-GitHub-Delivery", "oa-1")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(wire(body));
    fired = (res.body as { eventID: string }).eventID;
    await t.app.worker.drain();
  });
  afterAll(async () => t.app.close());

  const listenerCases: {
    name: string;
    run: () => Promise<request.Response>;
    template: string;
    method?: string;
  }[] = [
    {
      name: "202 with the outcome (an authenticated sender)",
      template: "/{path}",
      run: async () => {
        const body = githubFixture("push");
        const res = await request(t.app.server)
          .post("/")
          .set("Content-Type", "application/json")
          .set("X-GitHub-Event", "push")
          .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
          .send(wire(body));
        expect(res.body).toMatchObject({ outcome: "fired" });
        return res;
      },
    },
    {
      name: "GET with no body (the landing page)",
      template: "/{path}",
      method: "GET",
      run: () => request(t.app.server).get("/"),
    },
    {
      name: "200 duplicate",
      template: "/{path}",
      run: async () => {
        const body = githubFixture("push");
        return request(t.app.server)
          .post("/")
          .set("Content-Type", "application/json")
          .set("X-GitHub-Event", "push")
          .set("X-GitHub-Delivery", "oa-1")
          .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
          .send(wire(body));
      },
    },
    {
      name: "400",
      template: "/{path}",
      run: () => request(t.app.server).post("/").set("Content-Type", "application/json").send("[]"),
    },
    {
      name: "401",
      template: "/{path}",
      run: () =>
        request(t.app.server)
          .post("/")
          .set("Content-Type", "application/json")
          .set("X-GitHub-Event", "push")
          .send(wire(githubFixture("push"))),
    },
    {
      name: "413",
      template: "/{path}",
      run: () =>
        request(t.app.server)
          .post("/")
          .set("Content-Type", "application/json")
          .send(`{"a":"${"x".repeat(20_000)}"}`),
    },
    {
      name: "404",
      template: "/listeners/{namespace}/{name}",
      run: () => request(t.app.server).post("/listeners/no/where").send("{}"),
    },
    {
      name: "/ready",
      template: "/ready",
      run: () => request(t.app.server).get("/ready"),
    },
  ];
  it.each(listenerCases)("listener port: $name", async ({ run, template, method: given }) => {
    const res = await run();
    const method = given ?? (template === "/ready" ? "GET" : "POST");
    expect(
      checkAnswer(template, method, res.status, res.headers["content-type"], res.body),
    ).toEqual([]);
  });

  it.each([
    { name: "list", path: () => "/api/v1/events", template: "/api/v1/events" },
    {
      name: "list with a bad filter",
      path: () => "/api/v1/events?outcome=nope",
      template: "/api/v1/events",
    },
    { name: "show", path: () => `/api/v1/events/${fired}`, template: "/api/v1/events/{id}" },
    {
      name: "show an unknown event",
      path: () => "/api/v1/events/nope",
      template: "/api/v1/events/{id}",
    },
    { name: "event counts", path: () => "/api/v1/event-counts", template: "/api/v1/event-counts" },
    {
      name: "event counts over a bad range",
      path: () => "/api/v1/event-counts?range=week",
      template: "/api/v1/event-counts",
    },
    { name: "metrics", path: () => "/metrics", template: "/metrics" },
    { name: "the page", path: () => "/ui/", template: "/ui/" },
    { name: "the page over the last day", path: () => "/ui/?range=day", template: "/ui/" },
    { name: "an event page", path: () => `/ui/events/${fired}`, template: "/ui/events/{id}" },
    {
      name: "an event's .http",
      path: () => `/ui/events/${fired}/request.http`,
      template: "/ui/events/{id}/request.http",
    },
    {
      name: "an unknown event's .http",
      path: () => "/ui/events/nope/request.http",
      template: "/ui/events/{id}/request.http",
    },
  ])("admin port: $name", async ({ path, template }) => {
    const res = await request(t.admin).get(path());
    expect(checkAnswer(template, "GET", res.status, res.headers["content-type"], res.body)).toEqual(
      [],
    );
  });

  it("admin port: replay", async () => {
    const res = await request(t.admin)
      .post(`/api/v1/events/${fired}/replay`)
      .set("Content-Type", "application/json");
    expect(
      checkAnswer(
        "/api/v1/events/{id}/replay",
        "POST",
        res.status,
        res.headers["content-type"],
        res.body,
      ),
    ).toEqual([]);
  });
});
