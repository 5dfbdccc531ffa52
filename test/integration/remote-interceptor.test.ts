import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TriggerTrace } from "../../src/listener/types.js";
import { createTestApp, writeConfigDir, type TestApp } from "../support/test-app.js";
import { createTestTls, type TestTls } from "../support/test-tls.js";

// ---------------------------------------------------------------------------------------------
// Real interceptor services on loopback: one over HTTPS with a test CA, one plain HTTP.
// ---------------------------------------------------------------------------------------------

interface Seen {
  path: string;
  headers: IncomingMessage["headers"];
  rawHeaders: string[];
  body: string;
}

const seen: Seen[] = [];
let aborted = 0;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(status: number, value: unknown): { status: number; body: string } {
  return { status, body: JSON.stringify(value) };
}

/** Tekton-style interceptor answers by path. */
async function interceptorAnswer(
  path: string,
  wire: Record<string, unknown>,
): Promise<{ status: number; body: string } | "hang"> {
  switch (path) {
    case "/accept": {
      const params = wire["interceptor_params"] as Record<string, unknown> | undefined;
      const header = wire["header"] as Record<string, string[]>;
      const body = JSON.parse(wire["body"] as string) as { ref: string };
      return json(200, {
        continue: true,
        extensions: {
          from_remote: "yes",
          echoed: params?.["greeting"] ?? "none",
          event: header["X-Github-Event"]?.[0],
          ref: body.ref,
          trigger: (wire["context"] as Record<string, string>)["trigger_id"],
        },
      });
    }
    case "/reject-numeric":
      return json(200, { continue: false, status: { code: 9, message: "not on Fridays" } });
    case "/reject-named":
      return json(200, {
        continue: false,
        status: { code: "PermissionDenied", message: "you shall not pass" },
      });
    case "/no-continue":
      return json(200, { extensions: { a: 1 } });
    case "/slow":
      await new Promise((r) => setTimeout(r, 1500));
      return json(200, { continue: true });
    case "/hang":
      return "hang";
    case "/500":
      return { status: 500, body: "database on fire" };
    case "/garbage":
      return { status: 200, body: "<html>hello</html>" };
    case "/not-a-response":
      return json(200, [1, 2, 3]);
    default:
      return { status: 404, body: "no such interceptor" };
  }
}

let tls: TestTls;
let otherCa: TestTls;
let fakeClusterInterceptor: Server;
let fakeWebhookInterceptor: Server;
let httpsPort = 0;
let httpPort = 0;
let closedPort = 0;

beforeAll(async () => {
  tls = createTestTls();
  otherCa = createTestTls("some other CA");
  fakeClusterInterceptor = createHttpsServer(
    { cert: tls.serverCertPem, key: tls.serverKeyPem },
    (req, res) => {
      req.on("close", () => {
        if (!res.writableEnded) aborted++;
      });
      void readBody(req).then(async (text) => {
        const path = req.url ?? "/";
        seen.push({ path, headers: req.headers, rawHeaders: req.rawHeaders, body: text });
        const answer = await interceptorAnswer(
          path.split("?")[0] ?? path,
          JSON.parse(text) as Record<string, unknown>,
        );
        if (answer === "hang" || res.destroyed) return;
        res.writeHead(answer.status, { "Content-Type": "application/json" }).end(answer.body);
      });
    },
  );
  // A legacy webhook interceptor: echoes what it got and rewrites the body and a header.
  fakeWebhookInterceptor = createHttpServer((req, res) => {
    void readBody(req).then((text) => {
      seen.push({
        path: req.url ?? "/",
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: text,
      });
      if (req.url === "/refuse") {
        res.writeHead(403).end("go away");
        return;
      }
      const got = JSON.parse(text) as Record<string, unknown>;
      res.writeHead(200, { "Content-Type": "application/json", "X-Rewritten": "by-webhook" }).end(
        JSON.stringify({
          rewritten: "yes",
          original_ref: got["ref"],
          seen_extensions: got["extensions"] ?? null,
        }),
      );
    });
  });
  const listen = async (s: Server): Promise<number> =>
    new Promise((resolve) =>
      s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)),
    );
  httpsPort = await listen(fakeClusterInterceptor);
  httpPort = await listen(fakeWebhookInterceptor);
  // A port nobody listens on: open one, note it, close it.
  const probe = createHttpServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r));
});

afterAll(async () => {
  for (const s of [fakeClusterInterceptor, fakeWebhookInterceptor]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

// ---------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------

const b64 = (pem: string): string => Buffer.from(pem).toString("base64");

function clusterInterceptor(
  name: string,
  url: string,
  opts: { ca?: string; timeout?: string } = {},
): string {
  return `---
apiVersion: triggers.tekton.dev/v1alpha1
kind: ClusterInterceptor
metadata:
  name: ${name}
${opts.timeout === undefined ? "" : `  annotations:\n    hookline.dev/timeout: ${opts.timeout}\n`}spec:
  clientConfig:
    url: ${url}
${opts.ca === undefined ? "" : `    caBundle: ${b64(opts.ca)}\n`}`;
}

const TEMPLATE = `---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: record
spec:
  params:
    - name: a
    - name: b
      default: none
    - name: c
      default: none
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        generateName: record-
      data:
        a: $(tt.params.a)
        b: $(tt.params.b)
        c: $(tt.params.c)
`;

function trigger(name: string, interceptors: string, bindings = "- {name: a, value: x}"): string {
  const indent = (text: string, n: number): string =>
    text
      .trim()
      .split("\n")
      .map((l) => " ".repeat(n) + l)
      .join("\n");
  return `    - name: ${name}
      interceptors:
${indent(interceptors, 8)}
      bindings:
${indent(bindings, 8)}
      template:
        ref: record
`;
}

const ref = (name: string, kind = "ClusterInterceptor"): string =>
  `- ref: {name: ${name}, kind: ${kind}}`;

async function post(app: TestApp, body: unknown): Promise<TriggerTrace[]> {
  const res = await request(app.server)
    .post("/")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", "push")
    .send(JSON.stringify(body));
  expect(res.status).toBe(202);
  const event = await app.journal.getEvent((res.body as { eventID: string }).eventID);
  if (event === undefined) throw new Error("event not stored");
  return event.traces;
}

function byName(traces: TriggerTrace[], name: string): TriggerTrace {
  const t = traces.find((x) => x.trigger === name);
  if (t === undefined) throw new Error(`no trace for ${name}`);
  return t;
}

function reasonOf(t: TriggerTrace): string {
  return "message" in t.outcome ? t.outcome.message : t.outcome.kind;
}

// ---------------------------------------------------------------------------------------------

describe("remote interceptors (Interceptor / ClusterInterceptor over HTTPS)", () => {
  let app: TestApp;
  let dir: string;
  let traces: TriggerTrace[];
  const https = (path: string): string => `https://127.0.0.1:${httpsPort}${path}`;

  beforeAll(async () => {
    dir = await writeConfigDir({
      "interceptors.yaml": [
        clusterInterceptor("accepting", https("/accept"), { ca: tls.caPem }),
        clusterInterceptor("reject-numeric", https("/reject-numeric"), { ca: tls.caPem }),
        clusterInterceptor("reject-named", https("/reject-named"), { ca: tls.caPem }),
        clusterInterceptor("no-continue", https("/no-continue"), { ca: tls.caPem }),
        clusterInterceptor("slow", https("/slow"), { ca: tls.caPem, timeout: "300ms" }),
        clusterInterceptor("http-500", https("/500"), { ca: tls.caPem }),
        clusterInterceptor("garbage", https("/garbage"), { ca: tls.caPem }),
        clusterInterceptor("not-a-response", https("/not-a-response"), { ca: tls.caPem }),
        clusterInterceptor("wrong-ca", https("/accept"), { ca: otherCa.caPem }),
        clusterInterceptor("down", `http://127.0.0.1:${closedPort}/`),
        `---
apiVersion: triggers.tekton.dev/v1alpha1
kind: Interceptor
metadata:
  name: ns-accepting
  namespace: default
spec:
  clientConfig:
    url: ${https("/accept")}
    caBundle: ${b64(tls.caPem)}
`,
      ].join(""),
      "template.yaml": TEMPLATE,
      "listener.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: remote
spec:
  triggers:
${trigger(
  "accept",
  `- ref: {name: accepting}
  params:
    - {name: greeting, value: hello}`,
  `- {name: a, value: "$(extensions.from_remote)"}
- {name: b, value: "$(extensions.echoed)"}
- {name: c, value: "$(extensions.event) $(extensions.ref) $(extensions.trigger)"}`,
)}${trigger("reject-numeric", ref("reject-numeric"))}${trigger("reject-named", ref("reject-named"))}${trigger(
        "no-continue",
        ref("no-continue"),
      )}${trigger("slow", ref("slow"))}${trigger("http-500", ref("http-500"))}${trigger(
        "garbage",
        ref("garbage"),
      )}${trigger("not-a-response", ref("not-a-response"))}${trigger("wrong-ca", ref("wrong-ca"))}${trigger(
        "down",
        ref("down"),
      )}${trigger("namespaced", ref("ns-accepting", "NamespacedInterceptor"), '- {name: a, value: "$(extensions.from_remote)"}')}`,
    });
    app = await createTestApp(dir);
    expect(app.config.issues.filter((i) => i.severity === "error")).toEqual([]);
    traces = await post(app, { ref: "refs/heads/main" });
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("POSTs Tekton's InterceptorRequest and uses the extensions of an accepting answer", async () => {
    const t = byName(traces, "accept");
    expect(t.outcome.kind).toBe("fired");
    expect(t.extensions).toMatchObject({ from_remote: "yes", echoed: "hello" });
    expect(t.params).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "a", value: "yes" }),
        expect.objectContaining({ name: "b", value: "hello" }),
        expect.objectContaining({
          name: "c",
          value: "push refs/heads/main namespaces/default/triggers/accept",
        }),
      ]),
    );
    const req = seen.find((s) => s.path === "/accept");
    expect(req?.headers["content-type"]).toBe("application/json");
    const wire = JSON.parse(req?.body ?? "{}") as Record<string, unknown>;
    expect(wire).toMatchObject({
      body: '{"ref":"refs/heads/main"}',
      interceptor_params: { greeting: "hello" },
      context: {
        event_url: "/",
        trigger_id: "namespaces/default/triggers/accept",
      },
    });
    const written = await app.written();
    expect(written.map((w) => w.resource["data"])).toContainEqual({
      a: "yes",
      b: "hello",
      c: "push refs/heads/main namespaces/default/triggers/accept",
    });
  });

  it("finds a NamespacedInterceptor (kind: Interceptor) in the listener's namespace", () => {
    const t = byName(traces, "namespaced");
    expect(t.outcome.kind).toBe("fired");
    expect(t.extensions).toMatchObject({ from_remote: "yes" });
  });

  it("stops on continue: false with a numeric code (FAILED_PRECONDITION: filtered)", () => {
    const t = byName(traces, "reject-numeric");
    expect(t.outcome).toMatchObject({
      kind: "filtered",
      code: "FAILED_PRECONDITION",
      message: "not on Fridays",
    });
    expect(t.interceptors[0]).toMatchObject({ interceptor: "reject-numeric", outcome: "stop" });
  });

  it("stops on continue: false with a named code (Go's PermissionDenied)", () => {
    const t = byName(traces, "reject-named");
    expect(t.outcome.kind).toBe("failed");
    expect(reasonOf(t)).toBe("reject-named: PERMISSION_DENIED: you shall not pass");
  });

  it("reads a missing continue as false, and says so", () => {
    const t = byName(traces, "no-continue");
    expect(t.outcome.kind).toBe("failed");
    expect(reasonOf(t)).toMatch(/no "continue" field/);
  });

  it.each([
    {
      name: "slow",
      reason: /^slow: POST https:\/\/127\.0\.0\.1:\d+\/slow: no answer within 300 ms$/,
    },
    {
      name: "http-500",
      reason: /answered HTTP 500 Internal Server Error, not 200: "database on fire"/,
    },
    {
      name: "garbage",
      reason: /the answer is not an InterceptorResponse: not JSON: "<html>hello<\/html>"/,
    },
    {
      name: "not-a-response",
      reason: /the answer is not an InterceptorResponse: interceptor response is not a JSON object/,
    },
    {
      name: "down",
      reason:
        /^down: POST http:\/\/127\.0\.0\.1:\d+\/ failed: connection refused .*\(ECONNREFUSED\)$/,
    },
    { name: "wrong-ca", reason: /failed: TLS: .*\(\w+\)$/ },
  ])("fails the trigger with a clear reason when the service is $name", ({ name, reason }) => {
    const t = byName(traces, name);
    expect(t.outcome.kind).toBe("failed");
    expect(reasonOf(t)).toMatch(reason);
    expect(t.interceptors[0]).toMatchObject({ interceptor: name, outcome: "error" });
  });

  it("never lets one trigger's remote failure touch another", () => {
    expect(
      traces
        .filter((t) => t.outcome.kind === "fired")
        .map((t) => t.trigger)
        .sort(),
    ).toEqual(["accept", "namespaced"]);
  });
});

describe("remote interceptors and the decision deadline", () => {
  it("abandons a call still running at the deadline: the trigger times out, the request is cut", async () => {
    const dir = await writeConfigDir({
      // A token in the query: the trace names the URL without it.
      "interceptors.yaml": clusterInterceptor(
        "hang",
        `https://127.0.0.1:${httpsPort}/hang?token=s3cret`,
        { ca: tls.caPem },
      ),
      "template.yaml": TEMPLATE,
      "listener.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: deadline
spec:
  triggers:
${trigger("hang", ref("hang"))}`,
    });
    const app = await createTestApp(dir, { deadlineMs: 300 });
    try {
      const before = aborted;
      const started = Date.now();
      const traces = await post(app, { ref: "refs/heads/main" });
      expect(Date.now() - started).toBeLessThan(3000);
      // The stored trace says what it was waiting for: the interceptor and its URL.
      expect(byName(traces, "hang").outcome).toEqual({
        kind: "timedOut",
        afterMs: 300,
        interceptor: "hang",
        url: `https://127.0.0.1:${httpsPort}/hang?…`,
      });
      expect(JSON.stringify(traces)).not.toContain("s3cret");
      await expect.poll(() => aborted, { timeout: 2000 }).toBeGreaterThan(before);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the legacy webhook interceptor", () => {
  it("sends the body with extensions merged and the headers; its answer is what later steps and bindings see", async () => {
    const dir = await writeConfigDir({
      "interceptors.yaml": clusterInterceptor(
        "accepting",
        `https://127.0.0.1:${httpsPort}/accept`,
        {
          ca: tls.caPem,
        },
      ),
      "template.yaml": TEMPLATE,
      "listener.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: webhook
spec:
  triggers:
${trigger(
  "rewrite",
  `- ref: {name: accepting}
- name: rewriter
  webhook:
    url: http://127.0.0.1:${httpPort}/rewrite
    header:
      - {name: x-extra, value: one}
      - {name: X-List, value: [a, b]}
- ref: {name: cel}
  params:
    - name: filter
      value: "header.match('X-Rewritten', 'by-webhook') && !('X-Github-Event' in header)"`,
  `- {name: a, value: "$(body.rewritten)"}
- {name: b, value: "$(body.seen_extensions.from_remote) $(body.original_ref)"}
- {name: c, value: "$(header.X-Rewritten)"}`,
)}${trigger(
        "refused",
        `- webhook:
    url: http://127.0.0.1:${httpPort}/refuse`,
      )}`,
    });
    const app = await createTestApp(dir);
    try {
      expect(app.config.issues.filter((i) => i.severity === "error")).toEqual([]);
      const traces = await post(app, { ref: "refs/heads/main" });
      const t = byName(traces, "rewrite");
      expect(t.outcome.kind).toBe("fired");
      expect(t.interceptors.map((i) => [i.interceptor, i.outcome])).toEqual([
        ["accepting", "continue"],
        ["rewriter", "continue"],
        ["cel", "continue"],
      ]);
      expect(t.params).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: "a", value: "yes" }),
          expect.objectContaining({ name: "b", value: "yes refs/heads/main" }),
          expect.objectContaining({ name: "c", value: "by-webhook" }),
        ]),
      );
      const got = seen.find((s) => s.path === "/rewrite");
      expect(got?.headers["x-extra"]).toBe("one");
      expect(got?.headers["x-github-event"]).toBe("push");
      expect(got?.headers["eventlistener-request-url"]).toBe("/");
      const lists = (got?.rawHeaders ?? []).filter(
        (_, i, all) => all[i - 1]?.toLowerCase() === "x-list",
      );
      expect(lists).toEqual(["a", "b"]);
      expect(JSON.parse(got?.body ?? "{}")).toMatchObject({
        ref: "refs/heads/main",
        extensions: { from_remote: "yes", echoed: "none" },
      });

      const refused = byName(traces, "refused");
      expect(refused.outcome.kind).toBe("failed");
      expect(reasonOf(refused)).toMatch(
        /^webhook: POST http:\/\/127\.0\.0\.1:\d+\/refuse: request rejected; status: 403 Forbidden; message: go away$/,
      );
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
