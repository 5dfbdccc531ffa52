import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAdmin, type TestAdmin } from "../../support/test-admin.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../../support/fixtures.js";
import { writeConfigDir } from "../../support/test-app.js";

async function send(
  t: TestAdmin,
  event: string,
  deliveryId: string,
  secret = EXAMPLE_SECRET,
): Promise<string> {
  const body = githubFixture(event === "push" ? "push" : "ping");
  const res = await request(t.app.server)
    .post("/")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", event)
    .set("X-GitHub-Delivery", deliveryId)
    .set("X-Hub-Signature-256", await signGithub(body, secret))
    .send(wire(body));
  return (res.body as { eventID: string }).eventID;
}

interface Summary {
  id: string;
  outcome: string;
  deliveryId: string | null;
  triggers: { trigger: string; outcome: string }[];
}

describe("the event log API", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  it("counts the last hour's and day's events by outcome, per listener on request", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    await send(t, "push", "c-1");
    await send(t, "push", "c-2", "wrong");
    await send(t, "push", "c-3", "wrong");
    interface Counts {
      bucketSeconds: number;
      since: string;
      until: string;
      buckets: { start: string; counts: Record<string, number> }[];
    }
    const get = async (q: string): Promise<Counts> => {
      const res = await request(t!.admin).get(`/api/v1/event-counts${q}`);
      expect(res.status).toBe(200);
      return res.body as Counts;
    };
    const total = (c: Counts, outcome: string): number =>
      c.buckets.reduce((n, b) => n + (b.counts[outcome] ?? 0), 0);
    const hour = await get("");
    expect(hour.bucketSeconds).toBe(60);
    expect(hour.buckets).toHaveLength(60);
    expect(Date.parse(hour.until) - Date.parse(hour.since)).toBe(3600_000);
    expect(Date.parse(hour.until)).toBeGreaterThan(Date.now() - 60_000);
    expect([total(hour, "fired"), total(hour, "rejected")]).toEqual([1, 2]);
    // The newest span holds them (or the one before, across a minute boundary).
    expect(hour.buckets.slice(-2).reduce((n, b) => n + (b.counts["rejected"] ?? 0), 0)).toBe(2);
    const day = await get("?range=day");
    expect([day.bucketSeconds, day.buckets.length]).toEqual([1800, 48]);
    expect(total(day, "rejected")).toBe(2);
    expect(total(await get("?listener=default/nobody"), "rejected")).toBe(0);
    expect(total(await get("?listener=github-listener"), "rejected")).toBe(2);
    const bad = await request(t.admin).get("/api/v1/event-counts?range=week");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("range must be hour or day");
  });

  it("lists events newest first, filters them and pages through them", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const fired = await send(t, "push", "a-1");
    const filtered = await send(t, "ping", "a-2");
    const rejected = await send(t, "push", "a-3", "wrong");
    const all = await request(t.admin).get("/api/v1/events");
    expect(all.status).toBe(200);
    expect((all.body as { events: Summary[] }).events.map((e) => e.id)).toEqual([
      rejected,
      filtered,
      fired,
    ]);
    const byOutcome = async (outcome: string): Promise<string[]> =>
      (
        (await request(t!.admin).get(`/api/v1/events?outcome=${outcome}`)).body as {
          events: Summary[];
        }
      ).events.map((e) => e.id);
    expect(await byOutcome("fired")).toEqual([fired]);
    expect(await byOutcome("filtered")).toEqual([filtered]);
    expect(await byOutcome("rejected")).toEqual([rejected]);
    const byDelivery = await request(t.admin).get("/api/v1/events?deliveryId=a-2");
    expect((byDelivery.body as { events: Summary[] }).events.map((e) => e.id)).toEqual([filtered]);
    const byTrigger = await request(t.admin).get(
      "/api/v1/events?trigger=github-push&listener=default/github-listener",
    );
    expect((byTrigger.body as { events: Summary[] }).events).toHaveLength(3);

    const first = await request(t.admin).get("/api/v1/events?limit=2");
    const page1 = first.body as { events: Summary[]; next: string };
    expect(page1.events).toHaveLength(2);
    const second = await request(t.admin).get(`/api/v1/events?limit=2&cursor=${page1.next}`);
    expect(
      (second.body as { events: Summary[]; next: string | null }).events.map((e) => e.id),
    ).toEqual([fired]);
    expect((second.body as { next: string | null }).next).toBeNull();
  });

  it("shows the whole decision trace: interceptors, overlays, params with their source, resources and deliveries", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const id = await send(t, "push", "b-1");
    await t.app.worker.drain();
    const res = await request(t.admin).get(`/api/v1/events/${id}`);
    expect(res.status).toBe(200);
    const event = res.body as {
      outcome: string;
      headers: Record<string, string[]>;
      body: { encoding: string; data: string };
      triggers: {
        outcome: { kind: string };
        interceptors: {
          interceptor: string;
          outcome: string;
          durationMs: number;
          extensions?: string[];
        }[];
        extensions: Record<string, unknown>;
        params: { name: string; value: string; source: string }[];
        delivery: {
          state: string;
          resources: { kind: string; state: string; name: string; attempts: unknown[] }[];
        };
      }[];
    };
    expect(event.outcome).toBe("fired");
    expect(event.body.encoding).toBe("utf8");
    expect(event.headers["X-Github-Event"]).toEqual(["push"]);
    const [trigger] = event.triggers;
    expect(trigger?.interceptors.map((i) => [i.interceptor, i.outcome])).toEqual([
      ["github", "continue"],
      ["cel", "continue"],
    ]);
    expect(trigger?.extensions).toEqual({ short_sha: "6113728", branch: "master" });
    expect(trigger?.params).toContainEqual({
      name: "git-revision",
      value: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
      source: "TriggerBinding default/github-push: $(body.head_commit.id)",
    });
    expect(trigger?.delivery.state).toBe("delivered");
    expect(trigger?.delivery.resources[0]).toMatchObject({
      kind: "PipelineRun",
      state: "delivered",
    });
    expect(trigger?.delivery.resources[0]?.name).toMatch(/^build-and-test-/);
  });

  it("shows why a trigger stopped: the interceptor, its code and Tekton's message", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const id = await send(t, "push", "c-1", "wrong");
    const event = (await request(t.admin).get(`/api/v1/events/${id}`)).body as {
      status: number;
      triggers: {
        outcome: Record<string, string>;
        interceptors: { outcome: string; code?: string; message?: string }[];
      }[];
    };
    expect(event.status).toBe(401);
    expect(event.triggers[0]?.outcome).toMatchObject({
      kind: "rejected",
      interceptor: "github",
      code: "FAILED_PRECONDITION",
      message: "payload signature check failed",
    });
    expect(event.triggers[0]?.interceptors[0]).toMatchObject({
      outcome: "stop",
      code: "FAILED_PRECONDITION",
    });
  });

  it("shows a failed trigger (a missing binding field) with its reason", async () => {
    const dir = await writeConfigDir({
      "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: el }
spec:
  triggers:
    - name: needs-field
      bindings: [{ name: x, value: $(body.not.there) }]
      template:
        spec:
          params: [{ name: x }]
          resourcetemplates: [{ apiVersion: v1, kind: ConfigMap, metadata: { generateName: c- }, data: { x: $(tt.params.x) } }]
`,
    });
    t = await createTestAdmin(dir);
    const res = await request(t.app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .send('{"a":1}');
    const event = (
      await request(t.admin).get(`/api/v1/events/${(res.body as { eventID: string }).eventID}`)
    ).body as {
      outcome: string;
      triggers: { outcome: { kind: string; stage: string; message: string } }[];
    };
    expect(event.outcome).toBe("failed");
    expect(event.triggers[0]?.outcome).toMatchObject({ kind: "failed", stage: "bindings" });
    expect(event.triggers[0]?.outcome.message).toContain("$(body.not.there)");
  });

  it("replays an event as a new, linked one", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const id = await send(t, "push", "d-1");
    const res = await request(t.admin)
      .post(`/api/v1/events/${id}/replay`)
      .set("Content-Type", "application/json");
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ replayOf: id, outcome: "fired" });
    const replayed = (
      await request(t.admin).get(`/api/v1/events/${(res.body as { eventID: string }).eventID}`)
    ).body as { replayOf: string };
    expect(replayed.replayOf).toBe(id);
    expect(await t.app.written()).toHaveLength(2);
  });

  it.each([
    {
      name: "an unknown event",
      path: "/api/v1/events/nope",
      status: 404,
      code: "HL_EVENT_NOT_FOUND",
    },
    {
      name: "a bad outcome",
      path: "/api/v1/events?outcome=maybe",
      status: 400,
      code: "HL_ADMIN_BAD_REQUEST",
    },
    {
      name: "a bad limit",
      path: "/api/v1/events?limit=0",
      status: 400,
      code: "HL_ADMIN_BAD_REQUEST",
    },
    {
      name: "a bad time",
      path: "/api/v1/events?since=yesterday",
      status: 400,
      code: "HL_ADMIN_BAD_REQUEST",
    },
  ])("answers $name with $status", async ({ path, status, code }) => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const res = await request(t.admin).get(path);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code } });
  });
});

describe("the admin port's token", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  it("is required on every route but /metrics when set", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG, { token: "admin-s3cret" });
    expect((await request(t.admin).get("/api/v1/events")).status).toBe(401);
    expect((await request(t.admin).get("/ui/")).status).toBe(401);
    expect(
      (await request(t.admin).get("/api/v1/events").set("Authorization", "Bearer wrong")).status,
    ).toBe(401);
    expect(
      (await request(t.admin).get("/api/v1/events").set("Authorization", "Bearer admin-s3cret"))
        .status,
    ).toBe(200);
    expect((await request(t.admin).get("/metrics")).status).toBe(200);
  });

  it("is not needed to reach the listener port, which does not serve the admin routes", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG, { token: "admin-s3cret" });
    // On the listener port an admin path is just another path to the default listener: a
    // bodiless GET there gets the landing page, a POST is a webhook. No trigger of the example
    // listener is for it (no event header): 202, nothing fired, its body never parsed.
    const page = await request(t.app.server).get("/api/v1/events");
    expect(page.status).toBe(200);
    expect(page.text).toContain("EventListener default/github-listener");
    expect(page.text).not.toContain("admin-s3cret");
    const res = await request(t.app.server).post("/api/v1/events").send("{}");
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ eventListener: "github-listener", duplicate: false });
  });
});

describe("the listener's CloudEvents in the event log", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  it("shows them as the listener's own deliveries of kind cloudevent, on the API and the page", async () => {
    const received: string[] = [];
    const { createServer } = await import("node:http");
    const sink = createServer((req, res) => {
      received.push(String(req.headers["ce-type"]));
      req.resume();
      res.writeHead(202).end();
    });
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    const address = sink.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      const dir = await writeConfigDir({
        "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: ce-listener, namespace: ci }
spec:
  cloudEventURI: http://127.0.0.1:${port}/events
  triggers:
    - name: always
      template:
        spec:
          resourcetemplates: [{ apiVersion: v1, kind: ConfigMap, metadata: { generateName: cm- } }]
`,
      });
      t = await createTestAdmin(dir);
      const res = await request(t.app.server)
        .post("/")
        .set("Content-Type", "application/json")
        .send('{"a":1}');
      const id = (res.body as { eventID: string }).eventID;
      await t.app.worker.drain();
      const view = (await request(t.admin).get(`/api/v1/events/${id}`)).body as {
        triggers: { delivery: { resources: { kind: string }[]; cloudEvents: unknown[] } }[];
        listenerDelivery: {
          state: string;
          resources: unknown[];
          cloudEvents: { type: string; uri: string; state: string }[];
        } | null;
      };
      expect(view.triggers[0]?.delivery.resources.map((r) => r.kind)).toEqual(["ConfigMap"]);
      expect(view.triggers[0]?.delivery.cloudEvents).toEqual([]);
      expect(view.listenerDelivery?.state).toBe("delivered");
      expect(view.listenerDelivery?.resources).toEqual([]);
      expect(view.listenerDelivery?.cloudEvents.map((c) => [c.type, c.state])).toEqual([
        ["dev.tekton.event.triggers.started.v1", "delivered"],
        ["dev.tekton.event.triggers.successful.v1", "delivered"],
        ["dev.tekton.event.triggers.done.v1", "delivered"],
      ]);
      expect(view.listenerDelivery?.cloudEvents[0]?.uri).toBe(`http://127.0.0.1:${port}/events`);
      expect(received).toEqual([
        "dev.tekton.event.triggers.started.v1",
        "dev.tekton.event.triggers.successful.v1",
        "dev.tekton.event.triggers.done.v1",
      ]);
      const page = (await request(t.admin).get(`/ui/events/${id}`)).text;
      expect(page).toContain("EventListener ce-listener");
      expect(page).toContain("CloudEvent <code>dev.tekton.event.triggers.started.v1</code>");
      // No pseudo-resource is shown any more.
      expect(page).not.toContain("hookline.dev/v1");
    } finally {
      sink.close();
    }
  });
});

describe("/metrics", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  it("counts events, trigger outcomes and deliveries with bounded labels, under hookline's and Tekton's names", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    await send(t, "push", "m-1");
    await send(t, "ping", "m-2");
    await t.app.worker.drain();
    const text = (await request(t.admin).get("/metrics")).text;
    expect(text).toContain(
      'hookline_events_total{listener="default/github-listener",outcome="fired"} 1',
    );
    expect(text).toContain(
      'hookline_events_total{listener="default/github-listener",outcome="filtered"} 1',
    );
    // The ping is not for the push trigger: counted per listener, not as the trigger's outcome.
    expect(text).toContain(
      'hookline_triggers_not_applicable_total{listener="default/github-listener",fact="eventType"} 1',
    );
    expect(text).not.toContain('trigger="github-push",outcome="filtered"');
    expect(text).not.toContain('outcome="not_applicable"');
    expect(text).toContain('hookline_deliveries_total{kind="PipelineRun",outcome="delivered"} 1');
    expect(text).toContain('eventlistener_event_received_total{status="succeeded"} 2');
    expect(text).toContain("eventlistener_triggered_resources_total");
    expect(text).toContain("hookline_delivery_queue_depth 0");
    expect(text).not.toContain("m-1");
    expect(text).toContain("hookline_interceptor_duration_seconds_bucket");
  });
});
