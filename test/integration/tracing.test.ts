import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
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
import { createFakeKubeApiServer } from "../support/fake-kube-apiserver.js";
import { parse as parseYaml } from "yaml";

const SECRET = "tracing-test-webhook-secret-9f3a";
const TOKEN_HEADER_VALUE = "Bearer header-value-that-must-not-leak-77c1";
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;

/** Every file the local sink wrote under `dir`, parsed. */
async function writtenResources(dir: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".yaml"))
      out.push(
        parseYaml(await readFile(join(entry.parentPath, entry.name), "utf8")) as Record<
          string,
          unknown
        >,
      );
  }
  return out;
}

function annotationsOf(resource: unknown): Record<string, string> {
  const metadata = (resource as { metadata?: { annotations?: Record<string, string> } }).metadata;
  return metadata?.annotations ?? {};
}

/** A fake remote interceptor on loopback that accepts and remembers the headers it got. */
async function startFakeInterceptor(): Promise<{
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
    - apiVersion: tekton.dev/v1
      kind: TaskRun
      metadata:
        generateName: lint-
      spec:
        taskRef:
          name: lint
`,
    "listener.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: traced
spec:
  cloudEventURI: ${interceptorUrl}events
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
let interceptor: Awaited<ReturnType<typeof startFakeInterceptor>>;
const cloudEventsSeen = (): IncomingHttpHeaders[] =>
  interceptor.seen.filter((h) => h["ce-type"] !== undefined);

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "hookline-tracing-"));
  interceptor = await startFakeInterceptor();
  configDir = await writeConfigDir(config(interceptor.url));
});
afterAll(async () => {
  interceptor.server.close();
  await rm(out, { recursive: true, force: true });
  await rm(configDir, { recursive: true, force: true });
});

async function start(
  env: Record<string, string>,
  outDir: string,
  store = "memory",
): Promise<Running> {
  const settings = parseSettings(
    [
      ...["--config", configDir, "--store", store, "--out", outDir],
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
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: "hookline-test",
        HOOKLINE_TRACE_URL: "https://jaeger.example/trace/{traceId}",
      },
      dir,
    );
    const callerTrace = randomBytes(16).toString("hex");
    const callerSpan = randomBytes(8).toString("hex");
    let answer: { status: number; eventId: string };
    try {
      answer = await push(running, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
      await until(async () => (await writtenResources(dir)).length === 2);
      // The listener's lifecycle CloudEvents (started, successful, done) went out too.
      await until(() => cloudEventsSeen().length === 3);
      const base = `http://127.0.0.1:${running.adminPort}`;
      const view = (await (await fetch(`${base}/api/v1/events/${answer.eventId}`)).json()) as {
        traceId: string;
      };
      expect(view.traceId).toBe(callerTrace);
      const page = await (await fetch(`${base}/ui/events/${answer.eventId}`)).text();
      expect(page).toContain(`href="https://jaeger.example/trace/${callerTrace}"`);
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
    expect(interceptor.seen.find((h) => h["ce-type"] === undefined)?.["traceparent"]).toBe(
      `00-${callerTrace}-${call?.spanId ?? ""}-01`,
    );

    const commit = one(spans, "journal commit");
    expect(commit.parentSpanId).toBe(server.spanId);
    expect(commit.attributes).toMatchObject({ "db.system.name": "memory" });

    // Each delivery is a span in the request's trace, and the run it created points back at it.
    const pipelineRun = one(spans, "deliver PipelineRun");
    const taskRun = one(spans, "deliver TaskRun");
    for (const d of [pipelineRun, taskRun]) {
      expect(d).toMatchObject({ kind: PRODUCER, parentSpanId: server.spanId });
      expect(d.attributes).toMatchObject({
        "hookline.event_id": eventId,
        "hookline.trigger": "push",
        "hookline.attempt": 1,
        "hookline.outcome": "delivered",
      });
    }
    // Each CloudEvent POST is a client span under its delivery span, and carries its context.
    const ceDeliveries = spans.filter((s) => s.name === "deliver CloudEvent");
    expect(ceDeliveries).toHaveLength(3);
    for (const d of ceDeliveries) {
      expect(d.parentSpanId).toBe(server.spanId);
      const post = spans.find((s) => s.parentSpanId === d.spanId);
      expect(post).toMatchObject({ name: "POST", kind: CLIENT });
      expect(cloudEventsSeen().map((h) => h["traceparent"])).toContain(
        `00-${callerTrace}-${post?.spanId ?? ""}-01`,
      );
    }
    const written = await writtenResources(dir);
    const annotation = (kind: string, key: string): unknown =>
      JSON.parse(annotationsOf(written.find((r) => r["kind"] === kind))[key] ?? "null");
    expect(annotation("PipelineRun", "tekton.dev/pipelinerunSpanContext")).toEqual({
      traceparent: `00-${callerTrace}-${pipelineRun.spanId}-01`,
    });
    expect(annotation("TaskRun", "tekton.dev/taskrunSpanContext")).toEqual({
      traceparent: `00-${callerTrace}-${taskRun.spanId}-01`,
    });

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
      await until(async () => (await writtenResources(dir)).length === 2);
    } finally {
      await running.close();
    }
    expect(collector.bodies).toEqual([]);
    // Nor is any span context put on the runs.
    for (const r of await writtenResources(dir))
      expect(Object.keys(annotationsOf(r)).filter((k) => k.includes("SpanContext"))).toEqual([]);
    await collector.close();
  });

  it("puts a delivery retried after a restart in the same trace, and its PipelineRun points at the attempt", async () => {
    const collector = await createFakeOtlpCollector();
    const kube = await createFakeKubeApiServer();
    const dir = await mkdtemp(join(out, "restart-"));
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      HOOKLINE_SINK: "kubernetes",
      KUBECONFIG: kube.writeKubeconfig(dir),
    };
    const db = join(dir, "journal.db");
    // The API server refuses the first create (retryable), and hookline stops before the retry.
    kube.intercept = (r) =>
      r.method === "POST" && r.path.endsWith("/pipelineruns")
        ? { kind: "status", code: 503, reason: "ServiceUnavailable", message: "etcd is busy" }
        : undefined;
    const first = await start(env, dir, db);
    try {
      expect((await push(first)).status).toBe(202);
      await until(() => kube.requests.some((r) => r.method === "POST"));
    } finally {
      await first.close();
    }
    kube.intercept = undefined;
    const second = await start(env, dir, db);
    try {
      await until(() => kube.objects({ kind: "TaskRun" }).length === 1);
    } finally {
      await second.close();
      await kube.close();
    }
    const spans = collector.spans;
    await collector.close();

    const server = one(spans, "POST /listeners/default/traced");
    const attempts = spans
      .filter((s) => s.name === "deliver PipelineRun")
      .sort(
        (a, b) =>
          Number(a.attributes["hookline.attempt"]) - Number(b.attributes["hookline.attempt"]),
      );
    expect(
      attempts.map((a) => [a.attributes["hookline.attempt"], a.attributes["hookline.outcome"]]),
    ).toEqual([
      [1, "retry"],
      [2, "delivered"],
    ]);
    for (const a of attempts)
      expect(a).toMatchObject({ traceId: server.traceId, parentSpanId: server.spanId });
    // Each attempt's API call is a client span under it.
    const creates = spans.filter((s) => s.name === "kubernetes create PipelineRun");
    expect(creates.map((c) => c.parentSpanId).sort()).toEqual(attempts.map((a) => a.spanId).sort());
    expect(creates.map((c) => c.kind)).toEqual([CLIENT, CLIENT]);

    const [created] = kube.objects({ kind: "PipelineRun" });
    const carrier = JSON.parse(
      annotationsOf(created)["tekton.dev/pipelinerunSpanContext"] ?? "null",
    ) as { traceparent: string };
    expect(carrier.traceparent).toBe(`00-${server.traceId}-${attempts[1]?.spanId ?? ""}-01`);
  });
});
