import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";
import { writeConfigDir } from "../support/test-app.js";
import { copyFile, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const GITLAB_TOKEN = "gl-t0ken-never-shown";
const ADMIN_TOKEN = "adm1n-t0ken-never-shown";

/**
 * Every secret the run uses — webhook secrets, tokens, the signatures made with them — must not
 * appear in any log line, any answer of either port, or any page.
 */
describe("no secret, token or signature leaks", () => {
  let t: TestAdmin;
  const signatures: string[] = [];
  const answers: string[] = [];

  beforeAll(async () => {
    const dir = await writeConfigDir({});
    for (const f of await readdir(EXAMPLE_CONFIG)) {
      await copyFile(join(EXAMPLE_CONFIG, f), join(dir, f));
    }
    await writeFile(
      join(dir, "gitlab.yaml"),
      `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: gitlab-listener }
spec:
  triggers:
    - name: gitlab-push
      interceptors:
        - ref: { name: gitlab }
          params:
            - { name: secretRef, value: { secretName: gitlab-secret, secretKey: token } }
      template:
        spec:
          resourcetemplates: [{ apiVersion: v1, kind: ConfigMap, metadata: { generateName: gl- } }]
---
apiVersion: v1
kind: Secret
metadata: { name: gitlab-secret }
stringData: { token: ${GITLAB_TOKEN} }
`,
    );
    t = await createTestAdmin(dir, { token: ADMIN_TOKEN });
    const body = githubFixture("push");
    for (const [secret, id] of [
      [EXAMPLE_SECRET, "leak-1"],
      ["wrong-secret-value", "leak-2"],
    ] as const) {
      const signature = await signGithub(body, secret);
      signatures.push(signature.slice("sha256=".length));
      const res = await request(t.app.server)
        .post("/listeners/default/github-listener")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set("X-GitHub-Delivery", id)
        .set("X-Hub-Signature-256", signature)
        .send(wire(body));
      answers.push(res.text);
    }
    for (const token of [GITLAB_TOKEN, "a-wrong-gitlab-token"]) {
      const res = await request(t.app.server)
        .post("/listeners/default/gitlab-listener")
        .set("Content-Type", "application/json")
        .set("X-Gitlab-Event", "Push Hook")
        .set("X-Gitlab-Token", token)
        .send('{"object_kind":"push"}');
      answers.push(res.text);
    }
    await t.app.worker.drain();
  });
  afterAll(async () => t.app.close());

  it("is true of the logs, both ports' answers, every page, and the files written", async () => {
    const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    const list = await request(t.admin).get("/api/v1/events?limit=200").set(auth);
    answers.push(list.text);
    const ids = (list.body as { events: { id: string }[] }).events.map((e) => e.id);
    expect(ids.length).toBe(4);
    for (const id of ids) {
      answers.push((await request(t.admin).get(`/api/v1/events/${id}`).set(auth)).text);
      answers.push((await request(t.admin).get(`/ui/events/${id}`).set(auth)).text);
    }
    answers.push((await request(t.admin).get("/ui/").set(auth)).text);
    answers.push((await request(t.admin).get("/metrics")).text);
    answers.push(
      (await request(t.admin).get("/api/v1/events").set({ Authorization: "Bearer wrong" })).text,
    );
    const files = await Promise.all((await t.app.written()).map((w) => readFile(w.path, "utf8")));
    const everything = [t.app.logs.text(), ...answers, ...files].join("\n");
    for (const secret of [
      EXAMPLE_SECRET,
      "wrong-secret-value",
      GITLAB_TOKEN,
      "a-wrong-gitlab-token",
      ADMIN_TOKEN,
      ...signatures,
    ]) {
      expect(everything.includes(secret), `found ${secret.slice(0, 6)}… in the output`).toBe(false);
    }
    // The run did produce what it was searched in.
    expect(t.app.logs.entries.length).toBeGreaterThan(5);
    expect(everything).toContain("[redacted]");
  });
});
