import { join } from "node:path";
import { readdir } from "node:fs/promises";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAnswer } from "../support/openapi-validator.js";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";
import { EXAMPLE_SECRET, githubFixture, ROOT, signGithub, wire } from "../support/fixtures.js";

/** examples/argocd-refresh through the app and the local sink, then on the admin port. */
describe("a Patch delivery on the admin port (examples/argocd-refresh, local sink)", () => {
  let t: TestAdmin;
  let eventId: string;
  beforeAll(async () => {
    t = await createTestAdmin(join(ROOT, "examples/argocd-refresh"));
    const body = githubFixture("push");
    const res = await request(t.app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(wire(body));
    expect(res.status).toBe(202);
    eventId = (res.body as { eventID: string }).eventID;
    await t.app.worker.drain();
  });
  afterAll(async () => t.app.close());

  it("the local sink wrote the PipelineRun and the patch file beside it", async () => {
    expect(await readdir(join(t.app.outDir, "ci", "PipelineRun"))).toHaveLength(1);
    expect(await readdir(join(t.app.outDir, "argocd", "Application"))).toEqual([
      `hello-world.${eventId}.0.1.patch.yaml`,
    ]);
  });

  it("the event API shows the delivery as a patch of its target, as openapi.yaml says", async () => {
    const res = await request(t.admin).get(`/api/v1/events/${eventId}`);
    expect(
      checkAnswer("/api/v1/events/{id}", "GET", res.status, res.headers["content-type"], res.body),
    ).toEqual([]);
    const delivery = (res.body as { triggers: { delivery: Record<string, unknown[]> }[] })
      .triggers[0]?.delivery;
    expect(delivery?.["resources"]).toHaveLength(1);
    expect(delivery?.["patches"]).toEqual([
      {
        seq: 1,
        target: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          namespace: "argocd",
          name: "hello-world",
        },
        type: "merge",
        patch: { metadata: { annotations: { "argocd.argoproj.io/refresh": "normal" } } },
        state: "delivered",
        deliveryKey: `${eventId}.0.1`,
        attempts: [{ at: expect.any(String) as string }],
      },
    ]);
  });

  it("the event page names the patch and its target", async () => {
    const res = await request(t.admin).get(`/ui/events/${eventId}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/Patch \(merge\) of Application argocd\/hello-world/);
    expect(res.text).toContain("argocd.argoproj.io/refresh: normal");
  });

  it("counts the patch by kind and outcome, and not among Tekton's created resources", async () => {
    const res = await request(t.admin).get("/metrics");
    expect(res.text).toMatch(/hookline_deliveries_total\{kind="Patch",outcome="delivered"\} 1/);
    expect(res.text).toMatch(/eventlistener_triggered_resources_total\{kind="PipelineRun"\} 1/);
    expect(res.text).not.toMatch(/eventlistener_triggered_resources_total\{kind="Patch"/);
  });
});
