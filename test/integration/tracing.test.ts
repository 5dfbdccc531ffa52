import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime, type Running } from "../../src/runtime/create-runtime.js";
import { parseSettings } from "../../src/settings/parse-settings.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { createFakeOtlpCollector, type CollectedSpan } from "../support/fake-otlp-collector.js";
import { githubFixture, signGithub } from "../support/fixtures.js";
import { writeConfigDir } from "../support/test-app.js";

const SECRET = "tracing-test-webhook-secret-9f3a";
const TOKEN_HEADER_VALUE = "Bearer header-value-that-must-not-leak-77c1";
const SERVER = 2;
const CLIENT = 3;

/** A remote interceptor on loopback that accepts and remembers the headers it got. */
async function startInterceptor(): Promise<{
  server: Server;
  url: string;
  seen: IncomingHttpHeaders[];
}> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () =>
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ continue: true, extensions: { checked: "yes" } })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

function config(interceptorUrl: string): Record<string, string> {
  return {
    "secret.yaml": `apiVersion: v1
kind: Secret
metadata:
  name: gh
stringData:
  token: ${SECRET}
`,
    "interceptor.yaml": `apiVersion: triggers.tekton.dev/v1alpha1
kind: ClusterInterceptor
metadata:
  name: checker
spec:
  clientConfig:
    url: ${interceptorUrl}
`,
    "template.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: build
spec:
  params:
    - name: revision
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: build-
      spec:
        pipelineRef:
          name: build
        params:
          - name: revision
            value: $(tt.params.revision)
`,
    "listener.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: traced
spec:
  triggers:
    - name: push
      interceptors:
        - ref:
            name: github
          params:
            - name: secretRef
              value: { secretName: gh, secretKey: token }
            - name: eventTypes
              value: ["push"]
        - ref:
            name: checker
            kind: ClusterInterceptor
      bindings:
        - name: revision
          value: $(body.after)
      template:
        ref: build
    - name: tags-only
      interceptors:
        - ref:
            name: github
          params:
            - name: secretRef
              value: { secretName: gh, secretKey: token }
        - ref:
            name: cel
          params:
            - name: filter
              value: "body.ref.startsWith('refs/tags/')"
      bindings:
        - name: revision
          value: $(body.after)
      template:
        ref: build
`,
  };
}

/** Waits until `done()` holds, checking between turns of the event loop (no timing assumed). */
async function until(done: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 20));
}

let out: string;
let configDir: string;
let interceptor: Awaited<ReturnType<typeof startInterceptor>>;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "hookline-tracing-"));
  interceptor = await startInterceptor();
  configDir = await writeConfigDir(config(interceptor.url));
});
afterAll(async () => {
  interceptor.server.close();
  await rm(out, { recursive: true, force: true });
  await rm(configDir, { recursive: true, force: true });
});

async function start(env: Record<string, string>, outDir: string): Promise<Running> {
  const settings = parseSettings(
    [
      ...["--config", configDir, "--store", "memory", "--out", outDir],
      ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
    ],
    env,
  );
  return createRuntime(settings, { log: createCapturingLogger().log });
}

async function push(
  running: Running,
  extra: Record<string, string> = {},
): Promise<{ status: number; eventId: string }> {
  const body = githubFixture("push");
  const res = await fetch(`http://127.0.0.1:${running.port}/listeners/default/traced`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "x-hub-signature-256": await signGithub(body, SECRET),
      authorization: TOKEN_HEADER_VALUE,
      ...extra,
    },
    body,
  });
  const answer = (await res.json()) as { eventID: string };
  return { status: res.status, eventId: answer.eventID };
}

function one(spans: CollectedSpan[], name: string): CollectedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0] as CollectedSpan;
}

describe("tracing", () => {
  it("makes one trace of a signed push, continuing the sender's traceparent", async () => {
    const collector = await createFakeOtlpCollector();
    const dir = await mkdtemp(join(out, "run-"));
    const running = await start(
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: "hookline-test" },
      dir,
    );
    const callerTrace = randomBytes(16).toString("hex");
    const callerSpan = randomBytes(8).toString("hex");
    let answer: { status: number; eventId: string };
    try {
      answer = await push(running, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
      await until(async () => (await readdir(dir)).length > 0);
    } finally {
      await running.close();
    }
    expect(answer.status).toBe(202);
    const { eventId } = answer;
    const spans = collector.spans;
    await collector.close();

    // Every span is in the caller's trace.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([callerTrace]));
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(["hookline-test"]));

    const server = one(spans, "POST /listeners/default/traced");
    expect(server).toMatchObject({ kind: SERVER, parentSpanId: callerSpan });
    expect(server.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/listeners/default/traced",
      "url.path": "/listeners/default/traced",
      "http.response.status_code": 202,
      "hookline.event_id": eventId,
      "hookline.listener": "default/traced",
      "hookline.delivery_id": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "hookline.outcome": "fired",
    });

    const fired = one(spans, "trigger push");
    expect(fired.parentSpanId).toBe(server.spanId);
    expect(fired.attributes).toMatchObject({
      "hookline.trigger": "push",
      "hookline.outcome": "fired",
      "hookline.event_id": eventId,
    });
    const filtered = one(spans, "trigger tags-only");
    expect(filtered.parentSpanId).toBe(server.spanId);
    expect(filtered.attributes).toMatchObject({
      "hookline.outcome": "filtered",
      "hookline.interceptor": "cel",
      "hookline.interceptor.code": "FAILED_PRECONDITION",
    });

    // Interceptor spans under their trigger, in chain order.
    const under = (parent: CollectedSpan): string[] =>
      spans.filter((s) => s.parentSpanId === parent.spanId).map((s) => s.name);
    expect(under(fired).sort()).toEqual(["interceptor checker", "interceptor github"]);
    expect(under(filtered).sort()).toEqual(["interceptor cel", "interceptor github"]);

    // The remote call: a client span under the interceptor's, whose context the service got.
    const remote = one(spans, "interceptor checker");
    const call = spans.find((s) => s.parentSpanId === remote.spanId);
    expect(call).toMatchObject({ name: "POST", kind: CLIENT });
    expect(call?.attributes["http.response.status_code"]).toBe(200);
    expect(interceptor.seen.at(-1)?.["traceparent"]).toBe(
      `00-${callerTrace}-${call?.spanId ?? ""}-01`,
    );

    const commit = one(spans, "journal commit");
    expect(commit.parentSpanId).toBe(server.spanId);
    expect(commit.attributes).toMatchObject({ "db.system.name": "memory" });

    // Nothing of the payload, of a header value or of the secret went to the collector.
    const exported = collector.bodies.join("\n");
    const payload = JSON.parse(githubFixture("push").toString("utf8")) as Record<string, unknown>;
    for (const needle of [
      SECRET,
      TOKEN_HEADER_VALUE,
      "header-value-that-must-not-leak",
      // The signature header's value.
      (await signGithub(githubFixture("push"), SECRET)).slice("sha256=".length),
      String(payload["after"]),
      "Codertocat",
      "refs/heads/master",
    ])
      expect(exported).not.toContain(needle);
  });

  it("makes no span and sends nothing when no endpoint is set", async () => {
    const collector = await createFakeOtlpCollector();
    const dir = await mkdtemp(join(out, "off-"));
    const running = await start({ OTEL_SERVICE_NAME: "hookline-test" }, dir);
    try {
      expect((await push(running)).status).toBe(202);
      await until(async () => (await readdir(dir)).length > 0);
    } finally {
      await running.close();
    }
    expect(collector.bodies).toEqual([]);
    await collector.close();
  });
});
