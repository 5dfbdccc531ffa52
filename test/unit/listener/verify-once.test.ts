import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CompiledListener, CompiledTrigger } from "../../../src/config/compiled.js";
import type { IncomingEvent } from "../../../src/core/incoming-event.js";
import { accept, reject, type Interceptor } from "../../../src/interceptors/public.js";
import { authGate } from "../../../src/listener/auth-gate.js";
import { processEvent } from "../../../src/listener/process-event.js";
import { compileTemplate } from "../../../src/templates/compile-template.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { compileConfigText } from "../../support/compile-config-text.js";
import { fakeSecrets } from "../../support/interceptor-harness.js";

const GITHUB_SECRET = "gh-secret-value";
const GITLAB_TOKEN = "gl-token-value";

/** An organisation's listener: `n` github triggers and `n` gitlab ones, all behind one secret each. */
function orgListener(n: number): CompiledListener {
  const triggers: string[] = [];
  for (let i = 0; i < n; i++) {
    triggers.push(`
    - name: gh-${i}
      interceptors:
        - ref: { name: github }
          params:
            - { name: secretRef, value: { secretName: gh, secretKey: token } }
            - { name: eventTypes, value: [push] }
        - ref: { name: cel }
          params:
            - { name: filter, value: "body.repository.full_name == 'org/repo-${i}'" }
      template: { ref: tt }
    - name: gl-${i}
      interceptors:
        - ref: { name: gitlab }
          params:
            - { name: secretRef, value: { secretName: gl, secretKey: token } }
            - { name: eventTypes, value: [Push Hook] }
        - ref: { name: cel }
          params:
            - { name: filter, value: "body.project.path_with_namespace == 'org/repo-${i}'" }
      template: { ref: tt }`);
  }
  const config = compileConfigText(`
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt }
spec:
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { generateName: cm- } }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: org }
spec:
  triggers:${triggers.join("")}
`);
  const el = config.listeners[0];
  if (el === undefined) throw new Error(`no listener: ${JSON.stringify(config.issues)}`);
  return el;
}

function incoming(body: string, header: Record<string, string[]>): IncomingEvent {
  return {
    eventId: "e1",
    receivedAt: new Date(),
    method: "POST",
    url: "/",
    header: { "Content-Type": ["application/json"], ...header },
    rawBody: Buffer.from(body),
    provider: "generic",
    deliveryId: undefined,
  };
}

const githubPush = (repo: string, secret = GITHUB_SECRET): IncomingEvent => {
  const body = JSON.stringify({ repository: { full_name: repo } });
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return incoming(body, { "X-Github-Event": ["push"], "X-Hub-Signature-256": [signature] });
};
const gitlabPush = (repo: string, token = GITLAB_TOKEN): IncomingEvent =>
  incoming(JSON.stringify({ project: { path_with_namespace: repo } }), {
    "X-Gitlab-Event": ["Push Hook"],
    "X-Gitlab-Token": [token],
  });

describe("verify once per event", () => {
  const { log } = createCapturingLogger();
  const el = orgListener(20);

  it.each([
    { name: "a signed GitHub push", event: githubPush("org/repo-3"), fired: "gh-3", secret: "gh" },
    {
      name: "a GitLab push with its token",
      event: gitlabPush("org/repo-7"),
      fired: "gl-7",
      secret: "gl",
    },
  ])(
    "$name reads its secret once for the gate and all 40 triggers",
    async ({ event, fired, secret }) => {
      const secrets = fakeSecrets({
        "default/gh/token": GITHUB_SECRET,
        "default/gl/token": GITLAB_TOKEN,
      });
      const processed = await processEvent(
        { listener: el, event, deliveryIdOwner: undefined },
        { secrets, log, deadlineMs: 5_000 },
      );
      expect(
        processed.traces.filter((t) => t.outcome.kind === "fired").map((t) => t.trigger),
      ).toEqual([fired]);
      expect(secrets.calls.map((c) => `${c.ns}/${c.ref.secretName}`)).toEqual([
        `default/${secret}`,
      ]);
    },
  );

  it("reads the secrets again for the next event (a rotated secret is seen at once)", async () => {
    const secrets = fakeSecrets({ "default/gh/token": GITHUB_SECRET });
    const deps = { secrets, log, deadlineMs: 5_000 };
    for (const repo of ["org/repo-1", "org/repo-2"])
      await processEvent(
        { listener: el, event: githubPush(repo), deliveryIdOwner: undefined },
        deps,
      );
    expect(secrets.calls).toHaveLength(2);
  });

  it("still refuses a wrong signature and a wrong token with 401, every trigger rejected or not for it", async () => {
    const secrets = fakeSecrets({
      "default/gh/token": GITHUB_SECRET,
      "default/gl/token": GITLAB_TOKEN,
    });
    for (const event of [githubPush("org/repo-1", "wrong"), gitlabPush("org/repo-1", "wrong")]) {
      const processed = await processEvent(
        { listener: el, event, deliveryIdOwner: undefined },
        { secrets, log, deadlineMs: 5_000 },
      );
      expect(processed.answer.status).toBe(401);
      expect(processed.traces.filter((t) => t.outcome.kind === "rejected")).toHaveLength(20);
    }
  });
});

describe("the gate's shared checks", () => {
  const { log } = createCapturingLogger();
  const template = compileTemplate(
    { params: [], resourcetemplates: [], loc: { file: "t", line: 1, column: 1, field: "" } },
    {},
  );

  /** `n` triggers whose first step is an authenticator counting its runs, under one key or not. */
  function counted(n: number, key: (i: number) => string | undefined) {
    let runs = 0;
    const interceptor: Interceptor<unknown> = {
      name: "counted",
      parseParams: () => undefined,
      process: () => accept(),
    };
    const triggers = Array.from({ length: n }, (_, i): CompiledTrigger => {
      const k = key(i);
      const authenticate = async () => {
        await Promise.resolve();
        runs++;
        return reject("FAILED_PRECONDITION", "bad signature", { authFailure: true });
      };
      return {
        name: `t${i}`,
        namespace: "default",
        id: `namespaces/default/triggers/t${i}`,
        via: "inline",
        plan: {
          kind: "plan",
          interceptors: [
            { kind: "builtin", name: "counted", interceptor, params: undefined, authenticate },
          ],
          bindings: [],
          template,
          templateName: undefined,
          serviceAccountName: undefined,
          authenticator: { name: "counted", authenticate, ...(k === undefined ? {} : { key: k }) },
        },
      };
    });
    const listener: CompiledListener = {
      name: "el",
      namespace: "default",
      uid: "uid",
      payloadValidation: true,
      reply: "honest",
      cloudEventURI: undefined,
      triggers,
      groups: [],
    };
    return { listener, runs: () => runs };
  }

  it.each([
    { name: "one key: one run", key: () => "same", runs: 1 },
    { name: "two keys: two runs", key: (i: number) => `k${i % 2}`, runs: 2 },
    { name: "no key: a run each", key: () => undefined, runs: 6 },
  ])("$name", async ({ key, runs }) => {
    const c = counted(6, key);
    const gate = await authGate(c.listener, githubPush("x"), { secrets: fakeSecrets(), log });
    expect(gate.kind === "closed" && gate.traces.map((t) => t.outcome.kind)).toEqual(
      Array(6).fill("rejected"),
    );
    expect(c.runs()).toBe(runs);
  });

  it("the compiler gives equal github checks one key, and others another", () => {
    const el = orgListener(3);
    const keys = el.triggers.map((t) => (t.plan.kind === "plan" ? t.plan.authenticator?.key : "-"));
    expect(new Set(keys.filter((_, i) => i % 2 === 0)).size).toBe(1);
    expect(new Set(keys).size).toBe(2);
    expect(keys.every((k) => typeof k === "string")).toBe(true);
  });
});
