/**
 * What a sender learns from the listener port (issue 13 item 6): the 202 of an authenticated
 * sender says how the event ended; an unauthenticated one learns nothing more than before; a
 * browser's GET gets a page saying what this is and is not journaled. Tekton's reply is unchanged.
 */
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, writeConfigDir, type TestApp } from "../support/test-app.js";
import { signGithub } from "../support/fixtures.js";

const listener = (name: string, annotations: string): string => `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: ${name}, namespace: ci${annotations} }
spec:
  triggers:
    - name: push
      interceptors:
        - ref: { name: github }
          params:
            - { name: secretRef, value: { secretName: gh, secretKey: token } }
            - { name: eventTypes, value: [push] }
        - ref: { name: cel }
          params:
            - { name: filter, value: "body.ref == 'refs/heads/main'" }
      template: { ref: tt }
    - name: open
      interceptors:
        - ref: { name: cel }
          params:
            - { name: filter, value: "header.match('X-Open', 'yes')" }
      template: { ref: tt }
---`;

const CONFIG = `${listener("honest", "")}
${listener("tekton", ", annotations: { hookline.dev/reply: tekton }")}
${listener("unvalidated", ', annotations: { tekton.dev/payload-validation: "false" }')}
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
stringData: { token: s3cr3t-token }
`;

describe("the answer's outcome and the landing page", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(await writeConfigDir({ "el.yaml": CONFIG }), {
      adminPage: "http://127.0.0.1:9000/ui/",
    });
    expect(app.config.issues.filter((i) => i.severity === "error")).toEqual([]);
  });
  afterAll(async () => app.close());

  const push = async (path: string, ref: string, secret = "s3cr3t-token", headers = {}) => {
    const body = JSON.stringify({ ref });
    return request(app.server)
      .post(path)
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-Hub-Signature-256", await signGithub(body, secret))
      .set(headers)
      .send(body);
  };

  it.each([
    { name: "fired", ref: "refs/heads/main", outcome: "fired" },
    { name: "filtered by the CEL filter", ref: "refs/heads/dev", outcome: "filtered" },
  ])("tells an authenticated sender how its event ended: $name", async ({ ref, outcome }) => {
    const res = await push("/listeners/ci/honest", ref);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ eventListener: "honest", outcome });
  });

  it("tells an unauthenticated sender nothing of the outcome, even when something fired", async () => {
    // No signature check passes, but the open trigger (no secret) fires: 202, no outcome.
    const res = await push("/listeners/ci/honest", "refs/heads/main", "wrong", { "X-Open": "yes" });
    expect(res.status).toBe(202);
    expect(res.body).not.toHaveProperty("outcome");
  });

  it("keeps Tekton's four fields under hookline.dev/reply: tekton", async () => {
    const res = await push("/listeners/ci/tekton", "refs/heads/main");
    expect(res.status).toBe(202);
    expect(Object.keys(res.body as object).sort()).toEqual(
      ["eventID", "eventListener", "eventListenerUID", "namespace"].sort(),
    );
  });

  it.each(["GET", "HEAD"] as const)(
    "answers a %s with no body with a text page and journals nothing",
    async (method) => {
      const before = (await app.journal.listEvents({ limit: 200 })).events.length;
      const res =
        method === "GET"
          ? await request(app.server).get("/listeners/ci/honest")
          : await request(app.server).head("/listeners/ci/honest");
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/plain/);
      if (method === "GET") {
        expect(res.text).toContain("EventListener ci/honest");
        expect(res.text).toContain("http://127.0.0.1:9000/ui/");
      }
      expect((await app.journal.listEvents({ limit: 200 })).events).toHaveLength(before);
    },
  );

  it.each([
    { name: "Tekton's reply", path: "/listeners/ci/tekton", status: 400 },
    // Without payload validation a GET is an event as any other (here the open trigger fires).
    { name: "payload validation off", path: "/listeners/ci/unvalidated", status: 202 },
  ])("takes a GET with no body as an event under $name", async ({ path, status }) => {
    const res = await request(app.server).get(path).set("X-Open", "yes");
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
  });
});
