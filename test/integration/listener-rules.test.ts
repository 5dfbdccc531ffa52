import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, writeConfigDir, type TestApp } from "../support/test-app.js";
import { signGithub } from "../support/fixtures.js";

/** Listeners that exercise TEKTON-SPEC §0's rules and the documented answers to bad input. */
const RULES = `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: rules
  namespace: ci
spec:
  triggers:
    - name: fires
      bindings:
        - { name: sha, value: $(body.after) }
        - { name: message, value: $(body.message) }
        - { name: obj, value: $(body.obj) }
        - { name: custom, value: $(header.x-custom-thing) }
        - { name: multi, value: $(header.X-Multi) }
        - { name: event, value: $(context.eventID) }
      template:
        spec:
          params:
            - { name: sha }
            - { name: message }
            - { name: obj }
            - { name: custom }
            - { name: multi }
            - { name: event }
          resourcetemplates:
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: run-$(uid)
                labels: { triggers.tekton.dev/trigger: overwritten }
              data:
                sha: $(tt.params.sha)
                message: "msg: $(tt.params.message)"
                obj: $(tt.params.obj)
                custom: $(tt.params.custom)
                multi: $(tt.params.multi)
                event: $(tt.params.event)
                pipelines: $(params.keep-me)
                uid: $(uid)
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: second-$(uid)
                namespace: other
              data:
                first: run-$(uid)
    - name: filtered
      interceptors:
        - ref: { name: cel }
          params:
            # startsWith is no fact the dispatch index reads: the filter runs and says no.
            - { name: filter, value: "body.after.startsWith('never')" }
      bindings: []
      template: { ref: tt-unused }
    - name: cel-runtime-error
      interceptors:
        - ref: { name: cel }
          params:
            - { name: filter, value: "body.nothing.here == 'x'" }
      template: { ref: tt-unused }
    - name: missing-field
      bindings:
        - { name: p, value: $(body.does.not.exist) }
      template: { ref: tt-p-nodefault }
    - name: defaulted
      bindings:
        - { name: p, value: "from $(body.does.not.exist)" }
      template: { ref: tt-p-default }
    - name: overlay
      interceptors:
        - ref: { name: cel }
          params:
            - name: overlays
              value:
                - { key: short, expression: "body.after.truncate(7)" }
                - { key: extensions.nested, expression: "'quirk'" }
      bindings:
        - { name: p, value: "$(extensions.short)/$(extensions.extensions.nested)" }
      template: { ref: tt-p-nodefault }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt-unused, namespace: ci }
spec:
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { name: should-not-exist } }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt-p-nodefault, namespace: ci }
spec:
  params: [{ name: p }]
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { generateName: p- }, data: { p: $(tt.params.p) } }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt-p-default, namespace: ci }
spec:
  params: [{ name: p, default: fallback }]
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { generateName: d- }, data: { p: $(tt.params.p) } }
`;

const GUARDED = `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: guarded
  namespace: ci
  annotations: { hookline.dev/reply: tekton }
spec:
  triggers:
    - name: gh
      interceptors:
        - ref: { name: github }
          params:
            - { name: secretRef, value: { secretName: gh, secretKey: token } }
      template: { ref: tt-unused }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: strict
  namespace: ci
spec:
  triggers:
    - name: gh
      interceptors:
        - ref: { name: github }
          params:
            - { name: secretRef, value: { secretName: gh, secretKey: token } }
      template: { ref: tt-unused }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: forms
  namespace: ci
  annotations: { tekton.dev/payload-validation: "false" }
spec:
  triggers:
    - name: form
      interceptors:
        - ref: { name: cel }
          params:
            - { name: overlays, value: [{ key: word, expression: "body.text[0].split(' ')[0]" }] }
      bindings:
        - { name: p, value: $(extensions.word) }
      template: { ref: tt-p-nodefault }
---
apiVersion: v1
kind: Secret
metadata: { name: gh, namespace: ci }
stringData: { token: s3cr3t-token }
`;

interface Written {
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
}

describe("listener rules (TEKTON-SPEC §0) and bad input", () => {
  let app: TestApp;
  beforeAll(async () => {
    const dir = await writeConfigDir({ "rules.yaml": RULES, "guarded.yaml": GUARDED });
    app = await createTestApp(dir, { maxBodyBytes: 64 * 1024 });
    expect(app.config.issues.filter((i) => i.severity === "error")).toEqual([]);
  });
  afterAll(async () => app.close());

  const byEvent = async (eventId: string): Promise<Written[]> =>
    (await app.written())
      .map((w) => w.resource as unknown as Written)
      .filter((r) => r.metadata.labels["triggers.tekton.dev/triggers-eventid"] === eventId);

  it("runs every trigger independently: failures and filters do not stop the others", async () => {
    const payload = {
      after: "0123456789abcdef",
      message: 'say "hi"\nthen }',
      obj: { b: 2, a: [1, "x"] },
    };
    const res = await request(app.server)
      .post("/listeners/ci/rules")
      .set("Content-Type", "application/json")
      .set("x-custom-thing", "yes")
      .set("X-Multi", ["a", "b"] as unknown as string) // two header lines on the wire
      .send(JSON.stringify(payload));
    expect(res.status).toBe(202);
    const eventId = (res.body as { eventID: string }).eventID;
    const resources = await byEvent(eventId);
    const names = resources
      .map(
        (r) =>
          `${r.metadata.namespace}/${r.metadata.name.replace(/-[0-9a-f-]{36}$|-[a-z0-9]{5}$/, "")}`,
      )
      .sort();
    // fires: two ConfigMaps; defaulted: one; overlay: one. filtered, cel-runtime-error, missing-field: none.
    expect(names).toEqual(["ci/d", "ci/p", "ci/run", "other/second"]);

    const run = resources.find((r) => r.metadata.name.startsWith("run-")) as Written;
    const second = resources.find((r) => r.metadata.name.startsWith("second-")) as Written;
    // §0.4: a value with quotes, newline and brace stays one string; the resource keeps its shape.
    expect(run.data["message"]).toBe('msg: say "hi"\nthen }');
    // Objects are compact JSON with sorted keys, as Go marshals them.
    expect(run.data["obj"]).toBe('{"a":[1,"x"],"b":2}');
    // §0.2 and §0.3: headers reach bindings case-insensitively, multi-valued joined with ",".
    expect(run.data["custom"]).toBe("yes");
    expect(run.data["multi"]).toBe("a,b");
    expect(run.data["event"]).toBe(eventId);
    expect(run.data["sha"]).toBe("0123456789abcdef");
    // §0.5: Pipelines' $(params.x) is left alone; $(uid) is one UUID per trigger run.
    expect(run.data["pipelines"]).toBe("$(params.keep-me)");
    expect(run.data["uid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.metadata.name).toBe(`run-${run.data["uid"]}`);
    expect(second.data["first"]).toBe(run.metadata.name);
    // Tekton's labels overwrite a template's own.
    expect(run.metadata.labels).toMatchObject({
      "triggers.tekton.dev/trigger": "fires",
      "triggers.tekton.dev/eventlistener": "rules",
    });

    const defaulted = resources.find((r) => r.metadata.name.startsWith("d-")) as Written;
    expect(defaulted.data["p"]).toBe("from fallback");
    // §0.6: overlays write to extensions; `extensions.x` nests under extensions.extensions.
    const overlay = resources.find((r) => r.metadata.name.startsWith("p-")) as Written;
    expect(overlay.data["p"]).toBe("0123456/quirk");

    const logs = app.logs.entries.filter((e) => e["eventId"] === eventId);
    const outcome = (trigger: string): unknown =>
      logs.find((e) => e["trigger"] === trigger && typeof e["outcome"] === "string")?.["outcome"];
    expect(outcome("filtered")).toBe("filtered");
    // A CEL error is our side failing (INVALID_ARGUMENT), not a filter saying no.
    expect(outcome("cel-runtime-error")).toBe("failed");
    expect(outcome("missing-field")).toBe("failed");
    expect(outcome("fires")).toBe("fired");
  });

  it("§0.5: every $( in a value becomes $$(", async () => {
    const res = await request(app.server)
      .post("/listeners/ci/rules")
      .set("Content-Type", "application/json")
      .set("x-custom-thing", "yes")
      .set("X-Multi", "a")
      .send(JSON.stringify({ after: "x", message: "$(tasks.evil.results.x)", obj: {} }));
    const run = (await byEvent((res.body as { eventID: string }).eventID)).find((r) =>
      r.metadata.name.startsWith("run-"),
    ) as Written;
    expect(run.data["message"]).toBe("msg: $$(tasks.evil.results.x)");
  });

  it.each([
    {
      name: "not JSON",
      body: "<html>",
      message: "Invalid event body format : invalid character '<' looking for beginning of value",
    },
    {
      name: "a JSON array",
      body: "[1,2]",
      message:
        "Invalid event body format : json: cannot unmarshal array into Go value of type map[string]interface {}",
    },
    {
      name: "empty",
      body: "",
      message: "Invalid event body format : unexpected end of JSON input",
    },
  ])("§0.9: a body that is $name gets Tekton's 400", async ({ body, message }) => {
    const res = await request(app.server)
      .post("/listeners/ci/rules")
      .set("Content-Type", "application/json")
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      eventListener: "rules",
      namespace: "ci",
      eventListenerUID: "",
      errorMessage: message,
      code: "HL_INTAKE_INVALID_PAYLOAD",
    });
  });

  it("§0.9: payload validation off lets a form body through; two keys become JSON lists", async () => {
    const res = await request(app.server)
      .post("/listeners/ci/forms")
      .set("Content-Type", "application/x-www-form-urlencoded")
      .send("text=deploy%20now&user=me");
    expect(res.status).toBe(202);
    const [cm] = await byEvent((res.body as { eventID: string }).eventID);
    expect(cm?.data["p"]).toBe("deploy");
  });

  it("§0.1: a listener annotated hookline.dev/reply: tekton answers 202 even to a bad signature", async () => {
    const body = JSON.stringify({ a: 1 });
    const bad = await signGithub(body, "wrong");
    const tekton = await request(app.server)
      .post("/listeners/ci/guarded")
      .set("Content-Type", "application/json")
      .set("X-Hub-Signature-256", bad)
      .send(body);
    expect(tekton.status).toBe(202);
    const honest = await request(app.server)
      .post("/listeners/ci/strict")
      .set("Content-Type", "application/json")
      .set("X-Hub-Signature-256", bad)
      .send(body);
    expect(honest.status).toBe(401);
    const good = await request(app.server)
      .post("/listeners/ci/strict")
      .set("Content-Type", "application/json")
      .set("X-Hub-Signature-256", await signGithub(body, "s3cr3t-token"))
      .send(body);
    expect(good.status).toBe(202);
    expect(app.logs.text()).not.toContain("s3cr3t-token");
  });

  it("§0.10: the github interceptor reads only X-Hub-Signature-256, not the SHA-1 header", async () => {
    const body = JSON.stringify({ a: 1 });
    const { createHmac } = await import("node:crypto");
    const sha1 = `sha1=${createHmac("sha1", "s3cr3t-token").update(body).digest("hex")}`;
    const res = await request(app.server)
      .post("/listeners/ci/strict")
      .set("Content-Type", "application/json")
      .set("X-Hub-Signature", sha1)
      .send(body);
    expect(res.status).toBe(401);
    expect(app.logs.text()).toContain("no X-Hub-Signature-256 header set");
  });

  it("answers 413 to a body over the limit, by Content-Length or while reading", async () => {
    const big = "x".repeat(64 * 1024 + 1);
    const res = await request(app.server)
      .post("/listeners/ci/rules")
      .set("Content-Type", "application/json")
      .send(`{"a":"${big}"}`);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: "HL_INTAKE_BODY_TOO_LARGE" });

    const { request: rawRequest } = await import("node:http");
    await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = rawRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/listeners/ci/rules",
          headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      // Chunked: no Content-Length, so the limit is found while reading.
      for (let i = 0; i < 80; i++) req.write("x".repeat(1024));
      req.end();
    });
    await new Promise((resolve) => app.server.close(resolve));
    expect(status).toBe(413);
  });

  it("routes /listeners/<ns>/<name>; with several listeners and no default, other paths get 404", async () => {
    const res = await request(app.server)
      .post("/anything")
      .set("Content-Type", "application/json")
      .send("{}");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      errorMessage: "no EventListener serves this path",
      code: "HL_LISTENER_NOT_FOUND",
    });
    expect((await request(app.server).post("/listeners/ci/nope").send("{}")).status).toBe(404);
  });

  it("serves the probes", async () => {
    expect((await request(app.server).get("/live")).text).toBe("ok\n");
    expect((await request(app.server).get("/ready")).body).toEqual({ status: "ready" });
  });
});

describe("the default listener", () => {
  it("takes any path and method when HOOKLINE_LISTENER names it", async () => {
    const dir = await writeConfigDir({ "rules.yaml": RULES, "guarded.yaml": GUARDED });
    const app = await createTestApp(dir, { defaultListener: "ci/forms" });
    try {
      const res = await request(app.server)
        .put("/some/path?x=1")
        .set("Content-Type", "application/json")
        .send("{}");
      expect(res.status).toBe(202);
      expect((res.body as { eventListener: string }).eventListener).toBe("forms");
    } finally {
      await app.close();
    }
  });
});
