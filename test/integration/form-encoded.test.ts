import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";
import { githubFixture, signGithub } from "../support/fixtures.js";
import { writeConfigDir } from "../support/test-app.js";

const FIX = "set Content type to application/json in the webhook's settings";

function config(annotations: string): Record<string, string> {
  return {
    "listener.yaml": `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
  annotations: {${annotations}}
spec:
  triggers:
    - name: push
      interceptors:
        - ref: { name: github }
          params:
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
}

/** GitHub's default: the JSON payload as the `payload` field of a form. */
async function sendForm(t: TestAdmin): Promise<request.Response> {
  const body = `payload=${encodeURIComponent(githubFixture("push").toString("utf8"))}`;
  return request(t.app.server)
    .post("/")
    .set("Content-Type", "application/x-www-form-urlencoded")
    .set("X-GitHub-Event", "push")
    .set("X-GitHub-Delivery", "form-1")
    .set("X-Hub-Signature-256", await signGithub(body, "unused"))
    .send(body);
}

describe("a form-encoded delivery to a github trigger (GitHub's default content type)", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  it("answers 400 HL_INTAKE_FORM_ENCODED with the fix when payload validation refuses it", async () => {
    t = await createTestAdmin(await writeConfigDir(config("")));
    const res = await sendForm(t);
    expect(res.status).toBe(400);
    const body = res.body as { code: string; errorMessage: string };
    expect(body.code).toBe("HL_INTAKE_FORM_ENCODED");
    // Tekton's text first, then the fix.
    expect(body.errorMessage).toMatch(/^Invalid event body format : invalid character 'p'/);
    expect(body.errorMessage).toContain(FIX);
  });

  it("answers 400 with the fix when the trigger's interceptor refuses it (no payload validation), and the page shows the whole hint", async () => {
    t = await createTestAdmin(
      await writeConfigDir(config('"tekton.dev/payload-validation": "false"')),
    );
    const res = await sendForm(t);
    expect(res.status).toBe(400);
    const body = res.body as { code: string; errorMessage: string; eventID: string };
    expect(body.code).toBe("HL_INTAKE_FORM_ENCODED");
    expect(body.errorMessage).toContain(FIX);
    expect(await t.app.written()).toEqual([]);

    const event = (await request(t.admin).get(`/api/v1/events/${body.eventID}`)).body as {
      triggers: { outcome: { kind: string; code?: string } }[];
    };
    expect(event.triggers[0]?.outcome).toMatchObject({
      kind: "failed",
      code: "HL_INTAKE_FORM_ENCODED",
    });
    const page = (await request(t.admin).get(`/ui/events/${body.eventID}`)).text;
    expect(page).toContain(
      "form parameter encoding not supported, please change the hook to send JSON payloads",
    );
    expect(page).toContain("HL_INTAKE_FORM_ENCODED");
  });

  it.each([
    { name: "without payload validation: 202", validation: "false", status: 202 },
    { name: "with payload validation: Tekton's 400", validation: "true", status: 400 },
  ])(
    "answers as Tekton does under hookline.dev/reply: tekton ($name)",
    async ({ validation, status }) => {
      t = await createTestAdmin(
        await writeConfigDir(
          config(`"hookline.dev/reply": tekton, "tekton.dev/payload-validation": "${validation}"`),
        ),
      );
      const res = await sendForm(t);
      expect(res.status).toBe(status);
      if (status === 400) expect(res.body).toMatchObject({ code: "HL_INTAKE_INVALID_PAYLOAD" });
      expect(JSON.stringify(res.body)).not.toContain(FIX);
    },
  );
});
