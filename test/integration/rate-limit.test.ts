/**
 * `hookline.dev/rate-limit` through the real listener (issue 12): signed events at 20/m on a fixed
 * clock fire 20 and are rate limited past that (journal, answer, /metrics, page, log), until the
 * clock moves a minute on; a listener's limit counts events, not triggers; a filtered event takes
 * no token; a rate-limited delivery id may be delivered again.
 */
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import type { EventView } from "../../src/admin/event-view.js";
import { createPaint, eventTrace } from "../../src/cli/event-text.js";
import { createRateLimiter } from "../../src/concurrency/token-bucket.js";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";
import { signGithub } from "../support/fixtures.js";
import { writeConfigDir } from "../support/test-app.js";

const SECRET = "rate-limit-test-secret";

const CONFIG = `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: per-trigger, namespace: ci }
spec:
  triggers:
    - triggerRef: build
    - triggerRef: lint
---
apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: build
  namespace: ci
  annotations: { hookline.dev/rate-limit: "20/m" }
spec:
  interceptors:
    - ref: { name: github }
      params:
        - { name: secretRef, value: { secretName: gh, secretKey: token } }
        - { name: eventTypes, value: [push] }
    - ref: { name: cel }
      params:
        - { name: filter, value: "body.ref == 'refs/heads/main'" }
  template: { ref: tt }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata: { name: lint, namespace: ci }
spec:
  interceptors:
    - ref: { name: github }
      params:
        - { name: secretRef, value: { secretName: gh, secretKey: token } }
        - { name: eventTypes, value: [push] }
    - ref: { name: cel }
      params:
        - { name: filter, value: "body.ref == 'refs/heads/lint'" }
  template: { ref: tt }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: per-listener
  namespace: ci
  annotations: { hookline.dev/rate-limit: "20/m" }
spec:
  triggers:
    - name: one
      interceptors:
        - ref: { name: github }
          params:
            - { name: secretRef, value: { secretName: gh, secretKey: token } }
            - { name: eventTypes, value: [push] }
        - ref: { name: cel }
          params:
            - { name: filter, value: "body.ref == 'refs/heads/main'" }
      template: { ref: tt }
    - name: two
      interceptors:
        - ref: { name: github }
          params:
            - { name: secretRef, value: { secretName: gh, secretKey: token } }
            - { name: eventTypes, value: [push] }
        - ref: { name: cel }
          params:
            - { name: filter, value: "body.ref == 'refs/heads/main'" }
      template: { ref: tt }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt, namespace: ci }
spec:
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { generateName: e- } }
---
apiVersion: v1
kind: Secret
metadata: { name: gh, namespace: ci }
stringData: { token: ${SECRET} }
`;

interface Summary {
  id: string;
  outcome: string;
  triggers: { trigger: string; outcome: string }[];
}

describe("hookline.dev/rate-limit", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  let now = Date.parse("2026-12-03T12:00:00Z");
  let delivery = 0;
  const start = async (): Promise<TestAdmin> => {
    const admin = await createTestAdmin(await writeConfigDir({ "el.yaml": CONFIG }), {
      rateLimiter: createRateLimiter(() => now),
    });
    expect(admin.app.config.issues.filter((i) => i.severity === "error")).toEqual([]);
    return admin;
  };

  const push = async (
    app: TestAdmin,
    listener: string,
    ref = "refs/heads/main",
    deliveryId = `d-${++delivery}`,
  ): Promise<{ status: number; eventID: string; outcome: string }> => {
    const body = JSON.stringify({ ref });
    const res = await request(app.app.server)
      .post(`/listeners/ci/${listener}`)
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-GitHub-Delivery", deliveryId)
      .set("X-Hub-Signature-256", await signGithub(body, SECRET))
      .send(body);
    return { status: res.status, ...(res.body as { eventID: string; outcome: string }) };
  };

  /** In order: sequential requests, so the bucket is drawn in a known order. */
  const pushMany = async (app: TestAdmin, n: number, listener: string, ref?: string) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await push(app, listener, ref));
    return out;
  };

  const events = async (app: TestAdmin, query: string): Promise<Summary[]> => {
    const res = await request(app.admin).get(`/api/v1/events?limit=200&${query}`);
    expect(res.status).toBe(200);
    return (res.body as { events: Summary[] }).events;
  };

  const metric = async (app: TestAdmin, line: string): Promise<number | undefined> => {
    const text = (await request(app.admin).get("/metrics")).text;
    const found = text.split("\n").find((l) => l.startsWith(`${line} `));
    return found === undefined ? undefined : Number(found.slice(line.length + 1));
  };

  it("a Trigger's 20/m: 100 events → 20 fired and 80 rate_limited, then 20 more a minute later", async () => {
    t = await start();
    const answers = await pushMany(t, 100, "per-trigger");
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(answers.filter((a) => a.outcome === "fired")).toHaveLength(20);
    expect(answers.filter((a) => a.outcome === "rate_limited")).toHaveLength(80);
    // The bucket starts full: the first 20 fired.
    expect(answers.slice(0, 20).every((a) => a.outcome === "fired")).toBe(true);

    const listener = "listener=ci/per-trigger";
    expect(await events(t, `${listener}&outcome=fired`)).toHaveLength(20);
    const limited = await events(t, `${listener}&outcome=rate_limited`);
    expect(limited).toHaveLength(80);
    // lint's filter literal rules it out without running: it is counted, not listed.
    expect(limited[0]?.triggers).toEqual([{ trigger: "build", outcome: "rateLimited" }]);
    expect(await t.app.written()).toHaveLength(20);

    const m = 'listener="ci/per-trigger",trigger="build"';
    expect(await metric(t, `hookline_rate_limited_total{${m}}`)).toBe(80);
    expect(
      await metric(t, `hookline_trigger_outcomes_total{${m},outcome="rateLimited",code="trigger"}`),
    ).toBe(80);
    expect(
      await metric(t, 'hookline_events_total{listener="ci/per-trigger",outcome="rate_limited"}'),
    ).toBe(80);

    // The trace says which limit and whose; the page shows it; one info line per trigger.
    const id = answers[99]?.eventID ?? "";
    const view = await request(t.admin).get(`/api/v1/events/${id}`);
    expect(view.status).toBe(200);
    expect((view.body as { triggers: { outcome: unknown }[] }).triggers[0]?.outcome).toEqual({
      kind: "rateLimited",
      limit: "20/m",
      scope: "trigger",
    });
    // `hookline events show` prints the same view.
    const text = eventTrace(view.body as EventView, createPaint(false));
    expect(text).toContain("rate_limited  HTTP 202");
    expect(text).toContain("trigger build  rateLimited");
    expect(text).toContain("rate limited (20/m): the Trigger's bucket was empty");
    const page = await request(t.admin).get(`/ui/events/${id}`);
    expect(page.text).toContain("rate limited (20/m)");
    const list = await request(t.admin).get("/ui/?outcome=rate_limited");
    expect(list.text).toContain("build: rate limited");
    const lines = t.app.logs.entries.filter((e) => e["message"] === "trigger rate limited");
    expect(lines).toHaveLength(80);
    expect(lines[0]).toMatchObject({ level: "info", trigger: "build", limit: "20/m" });

    // One token every 3 s: none yet at 2.999 s; a whole minute, cut in two, refills 20, no more.
    now += 2_999;
    expect((await push(t, "per-trigger")).outcome).toBe("rate_limited");
    now += 57_001;
    const later = await pushMany(t, 25, "per-trigger");
    expect(later.map((a) => a.outcome)).toEqual([
      ...Array<string>(20).fill("fired"),
      ...Array<string>(5).fill("rate_limited"),
    ]);
    expect(await events(t, `${listener}&outcome=fired`)).toHaveLength(40);
  });

  it("an EventListener's 20/m counts events, not triggers: two triggers fire on each of 20", async () => {
    t = await start();
    const answers = await pushMany(t, 100, "per-listener");
    expect(answers.filter((a) => a.outcome === "fired")).toHaveLength(20);
    expect(answers.filter((a) => a.outcome === "rate_limited")).toHaveLength(80);
    const limited = await events(t, "listener=ci/per-listener&outcome=rate_limited");
    expect(limited).toHaveLength(80);
    expect(limited[0]?.triggers).toEqual([
      { trigger: "one", outcome: "rateLimited" },
      { trigger: "two", outcome: "rateLimited" },
    ]);
    const view = await request(t.admin).get(`/api/v1/events/${limited[0]?.id ?? ""}`);
    expect((view.body as { triggers: { outcome: unknown }[] }).triggers[1]?.outcome).toEqual({
      kind: "rateLimited",
      limit: "20/m",
      scope: "listener",
    });
    expect(await t.app.written()).toHaveLength(40);
    expect(
      await metric(t, 'hookline_rate_limited_total{listener="ci/per-listener",trigger="one"}'),
    ).toBe(80);
    now += 60_000;
    expect((await pushMany(t, 21, "per-listener")).map((a) => a.outcome)).toEqual([
      ...Array<string>(20).fill("fired"),
      "rate_limited",
    ]);
  });

  it("filtered and unauthenticated events take no token", async () => {
    t = await start();
    // 30 filtered by CEL, 30 with a bad signature: none drains either bucket.
    expect((await pushMany(t, 30, "per-trigger", "refs/heads/dev")).map((a) => a.outcome)).toEqual(
      Array<string>(30).fill("filtered"),
    );
    expect((await pushMany(t, 30, "per-listener", "refs/heads/dev")).map((a) => a.outcome)).toEqual(
      Array<string>(30).fill("filtered"),
    );
    for (let i = 0; i < 30; i++) {
      const body = JSON.stringify({ ref: "refs/heads/main" });
      const res = await request(t.app.server)
        .post("/listeners/ci/per-trigger")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set("X-Hub-Signature-256", await signGithub(body, "wrong"))
        .send(body);
      expect(res.status).toBe(401);
    }
    // Another trigger firing does not take the limited trigger's token either.
    expect((await pushMany(t, 5, "per-trigger", "refs/heads/lint")).map((a) => a.outcome)).toEqual(
      Array<string>(5).fill("fired"),
    );
    const main = await pushMany(t, 21, "per-trigger");
    expect(main.filter((a) => a.outcome === "fired")).toHaveLength(20);
    expect(main[20]?.outcome).toBe("rate_limited");
    const el = await pushMany(t, 21, "per-listener");
    expect(el.filter((a) => a.outcome === "fired")).toHaveLength(20);
    expect(el[20]?.outcome).toBe("rate_limited");
  });

  it("a rate-limited delivery id is not a duplicate: its redelivery fires once a token is back", async () => {
    t = await start();
    await pushMany(t, 20, "per-trigger");
    const first = await push(t, "per-trigger", "refs/heads/main", "again-1");
    expect(first.outcome).toBe("rate_limited");
    const refused = await push(t, "per-trigger", "refs/heads/main", "again-1");
    expect([refused.status, refused.outcome]).toEqual([202, "rate_limited"]);
    now += 3_000;
    const redelivered = await push(t, "per-trigger", "refs/heads/main", "again-1");
    expect([redelivered.status, redelivered.outcome]).toEqual([202, "fired"]);
    // Now it fired: a further copy is the duplicate.
    const copy = await push(t, "per-trigger", "refs/heads/main", "again-1");
    expect(copy.status).toBe(200);
  });

  it("a rate-limited event's body is kept, and its replay takes no token", async () => {
    t = await start();
    await pushMany(t, 20, "per-trigger");
    const limited = await push(t, "per-trigger");
    expect(limited.outcome).toBe("rate_limited");
    const replay = await request(t.admin)
      .post(`/api/v1/events/${limited.eventID}/replay`)
      .set("Content-Type", "application/json");
    expect(replay.status).toBe(202);
    const replayed = await events(t, "listener=ci/per-trigger&outcome=fired");
    expect(replayed).toHaveLength(21);
    // The bucket is as empty as before the replay.
    expect((await push(t, "per-trigger")).outcome).toBe("rate_limited");
  });
});
