import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, githubFixture, signGithub } from "../support/fixtures.js";

const EVENT_ID_LABEL = "triggers.tekton.dev/triggers-eventid";

describe("the example listener with real GitHub deliveries", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(EXAMPLE_CONFIG);
  });
  afterAll(async () => app.close());

  it("accepts a signed push and writes the PipelineRun Tekton would create", async () => {
    const body = githubFixture("push");
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(body.toString());

    expect(res.status).toBe(202);
    expect(res.text.endsWith("}\n")).toBe(true);
    expect(Object.keys(res.body as object)).toEqual([
      "eventListener",
      "namespace",
      "eventListenerUID",
      "eventID",
      "deliveryId",
      "duplicate",
      "outcome",
    ]);
    expect(res.body).toMatchObject({
      deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      duplicate: false,
      outcome: "fired",
    });
    const answer = res.body as {
      eventListener: string;
      namespace: string;
      eventID: string;
      eventListenerUID: string;
    };
    expect(answer.eventListener).toBe("github-listener");
    expect(answer.namespace).toBe("default");
    expect(answer.eventListenerUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers["x-hookline-event-id"]).toBe(answer.eventID);

    const written = (await app.written()).filter(
      (w) =>
        (w.resource["metadata"] as Record<string, Record<string, string>>)["labels"]?.[
          EVENT_ID_LABEL
        ] === answer.eventID,
    );
    expect(written).toHaveLength(1);
    const run = written[0]?.resource as {
      kind: string;
      metadata: { name: string; namespace: string; labels: Record<string, string> };
      spec: { params: { name: string; value: string }[] };
    };
    expect(run.kind).toBe("PipelineRun");
    expect(run.metadata.namespace).toBe("default");
    expect(run.metadata.name).toMatch(/^build-and-test-[a-z0-9]{5}$/);
    expect(written[0]?.path.endsWith(`/default/PipelineRun/${run.metadata.name}.yaml`)).toBe(true);
    expect(run.metadata.labels).toMatchObject({
      "triggers.tekton.dev/eventlistener": "github-listener",
      "triggers.tekton.dev/trigger": "github-push",
      "app.kubernetes.io/part-of": "hookline-example",
    });
    expect(run.spec.params).toEqual([
      { name: "revision", value: "6113728f27ae82c7b1a177c8d03f9e96e0adf246" },
      { name: "repo-url", value: "https://github.com/Codertocat/Hello-World.git" },
      { name: "branch", value: "master" },
    ]);
  });

  it("answers 401 to a wrong signature, creates nothing and tells the sender nothing", async () => {
    const before = (await app.written()).length;
    const body = githubFixture("push");
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-Hub-Signature-256", await signGithub(body, "not-the-secret"))
      .send(body.toString());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      code: "HL_LISTENER_UNAUTHENTICATED",
      eventListener: "github-listener",
    });
    expect(res.text).not.toMatch(/signature|secret|github-secret|sha256/i);
    expect(await app.written()).toHaveLength(before);
    // The reason is in the log, for the operator.
    expect(app.logs.text()).toContain("payload signature check failed");
  });

  it("answers 401 to a GitLab push with a wrong token, though other triggers of the listener filtered it", async () => {
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-Gitlab-Event", "Push Hook")
      .set("X-Gitlab-Token", "not-the-token")
      .send('{"object_kind":"push","ref":"refs/heads/main","checkout_sha":"abc"}');
    expect(res.status).toBe(401);
  });

  it("answers 401 to a push with no signature header", async () => {
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .send(githubFixture("push").toString());
    expect(res.status).toBe(401);
  });

  it("does not apply the push trigger to GitHub's ping: 202, nothing created, one info line", async () => {
    const before = (await app.written()).length;
    const seen = app.logs.entries.length;
    const body = githubFixture("ping");
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "ping")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(body.toString());
    expect(res.status).toBe(202);
    expect(await app.written()).toHaveLength(before);
    const lines = app.logs.entries
      .slice(seen)
      .filter((e) => e["eventId"] === (res.body as { eventID: string }).eventID);
    // The trigger's own line names what was seen, at debug; the event's summary is the info line.
    expect(lines.filter((e) => e["level"] !== "debug")).toEqual([
      expect.objectContaining({
        level: "info",
        message: "event answered",
        outcome: "filtered",
        triggers: { not_applicable: 4 },
      }),
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "debug",
        message: "trigger did not apply",
        ruledOutBy: "eventType",
        reason: "event type ping; this trigger listens to push",
      }),
    );
  });

  it("filters a signed pull_request on the push-only example", async () => {
    const before = (await app.written()).length;
    const body = githubFixture("pull_request.opened");
    const res = await request(app.server)
      .post("/listeners/default/github-listener")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "pull_request")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(body.toString());
    expect(res.status).toBe(202);
    expect(await app.written()).toHaveLength(before);
  });

  it("never logs the secret, the signature or the body", async () => {
    const body = githubFixture("push");
    const signature = await signGithub(body, EXAMPLE_SECRET);
    await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-Hub-Signature-256", signature)
      .send(body.toString());
    const text = app.logs.text();
    expect(text).not.toContain(EXAMPLE_SECRET);
    expect(text).not.toContain(signature.slice(7));
    expect(text).not.toContain("Codertocat");
    expect(text).toContain('"message":"event answered"');
  });
});
