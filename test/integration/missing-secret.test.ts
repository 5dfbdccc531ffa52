import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { fakeIo } from "../support/fake-io.js";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";
import { githubFixture, signGithub, wire } from "../support/fixtures.js";
import { writeConfigDir } from "../support/test-app.js";

/** A GitHub trigger whose secretRef names a Secret that is neither in the config nor on disk. */
const MISSING_SECRET_CONFIG = {
  "listener.yaml": `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: el }
spec:
  triggers:
    - name: push
      interceptors:
        - ref: { name: github }
          params:
            - name: secretRef
              value: { secretName: nowhere, secretKey: token }
            - name: eventTypes
              value: ["push"]
      template:
        spec:
          resourcetemplates:
            - apiVersion: v1
              kind: ConfigMap
              metadata: { generateName: cm- }
`,
};

describe("a secretRef to a secret that exists nowhere", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  it("fails the trigger with HL_SECRET_NOT_FOUND: outcome, metrics, page and log", async () => {
    t = await createTestAdmin(await writeConfigDir(MISSING_SECRET_CONFIG));
    const body = githubFixture("push");
    const res = await request(t.app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-GitHub-Delivery", "missing-secret-1")
      .set("X-Hub-Signature-256", await signGithub(body, "anything"))
      .send(wire(body));
    expect(res.status).toBe(202);
    const id = (res.body as { eventID: string }).eventID;

    const event = (await request(t.admin).get(`/api/v1/events/${id}`)).body as {
      outcome: string;
      triggers: { outcome: { kind: string; code?: string; message: string } }[];
    };
    expect(event.outcome).toBe("failed");
    expect(event.triggers[0]?.outcome).toMatchObject({
      kind: "failed",
      stage: "interceptor",
      code: "HL_SECRET_NOT_FOUND",
    });
    expect(event.triggers[0]?.outcome.message).toContain("secret default/nowhere not found");

    const metrics = (await request(t.admin).get("/metrics")).text;
    expect(metrics).toContain(
      'hookline_trigger_outcomes_total{listener="default/el",trigger="push",outcome="failed",code="HL_SECRET_NOT_FOUND"} 1',
    );
    expect(metrics).not.toMatch(/outcome="filtered"/);

    const page = (await request(t.admin).get(`/ui/events/${id}`)).text;
    expect(page).toContain("HL_SECRET_NOT_FOUND");
    expect(page).toContain('class="badge failed"');

    const line = t.app.logs.entries.find((e) => e["message"] === "trigger failed");
    expect(line).toMatchObject({ level: "error", code: "HL_SECRET_NOT_FOUND", trigger: "push" });
  });
});

describe("hookline validate and a secretRef to a secret that exists nowhere", () => {
  it("warns, naming the secret (never a value), where it looked and that the cluster was not asked", async () => {
    const dir = await writeConfigDir(MISSING_SECRET_CONFIG);
    const io = fakeIo();
    expect(await main(["validate", dir], io)).toBe(0);
    const warning =
      io
        .err()
        .split("\n")
        .find((l) => l.includes("(warning)")) ?? "";
    expect(warning).toMatch(
      /listener\.yaml:\d+:\d+ spec\.triggers\[0\]\.interceptors\[0\]\.params: /,
    );
    expect(warning).toContain("secret default/nowhere not found");
    expect(warning).toContain("cannot be checked offline");
    expect(warning).toContain("HL_SECRET_NOT_FOUND");
    expect(io.out()).toContain("1 warning(s)");
  });

  it("finds the secret in the secrets directory (--secrets or HOOKLINE_SECRETS_DIR) and says nothing", async () => {
    const dir = await writeConfigDir(MISSING_SECRET_CONFIG);
    const secrets = await mkdtemp(join(tmpdir(), "hookline-secrets-"));
    await mkdir(join(secrets, "nowhere"));
    await writeFile(join(secrets, "nowhere", "token"), "s3cr3t-value");
    const io = fakeIo();
    expect(await main(["validate", dir, "--secrets", secrets], io)).toBe(0);
    expect(io.err()).toBe("");
    const fromEnv = fakeIo({ HOOKLINE_SECRETS_DIR: secrets });
    expect(await main(["validate", dir], fromEnv)).toBe(0);
    expect(fromEnv.err()).toBe("");
  });

  it("names a missing key of a Secret the config has", async () => {
    const dir = await writeConfigDir({
      ...MISSING_SECRET_CONFIG,
      "secret.yaml": `
apiVersion: v1
kind: Secret
metadata: { name: nowhere }
stringData: { other: x-value-x }
`,
    });
    const io = fakeIo();
    expect(await main(["validate", dir], io)).toBe(0);
    expect(io.err()).toContain("key token not found in secret default/nowhere");
    expect(io.err()).not.toContain("x-value-x");
  });
});
