import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { createKubernetesSink } from "../../../src/sinks/kubernetes/kubernetes-sink.js";
import { loadKubeConfig } from "../../../src/sinks/kubernetes/load-kube-config.js";
import type { CreateContext, Sink } from "../../../src/sinks/types.js";
import type { RenderedResource } from "../../../src/templates/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import {
  createFakeKubeApiServer,
  type FakeKubeApiServer,
} from "../../support/fake-kube-apiserver.js";

const KEY = "hookline.dev/delivery-key";

function pipelineRun(meta: {
  name?: string;
  generateName?: string;
  namespace?: string;
  key?: string;
}): RenderedResource {
  const namespace = meta.namespace ?? "ci";
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    namespace,
    name: meta.name,
    generateName: meta.generateName,
    body: {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        ...(meta.name === undefined ? {} : { name: meta.name }),
        ...(meta.generateName === undefined ? {} : { generateName: meta.generateName }),
        labels: {
          "triggers.tekton.dev/trigger": "push",
          ...(meta.key === undefined ? {} : { [KEY]: meta.key }),
        },
      },
      spec: { pipelineRef: { name: "build" }, params: [{ name: "revision", value: "abc" }] },
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<HooklineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HooklineError);
  return err as HooklineError;
}

describe("the Kubernetes sink against a fake API server", () => {
  let fake: FakeKubeApiServer;
  let dir: string;
  let kc: KubeConfig;
  let sink: Sink;
  const { log, logs } = createCapturingLogger();
  const ctx: CreateContext = { serviceAccountName: undefined, log };

  beforeAll(async () => {
    fake = await createFakeKubeApiServer();
    dir = await mkdtemp(join(tmpdir(), "hookline-kube-"));
    kc = new KubeConfig();
    kc.loadFromFile(fake.writeKubeconfig(dir));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    sink = createKubernetesSink({ kubeConfig: kc, requestTimeoutMs: 2_000 });
    fake.requests.length = 0;
    fake.intercept = undefined;
  });

  it("creates a generateName PipelineRun in its namespace, looking for an earlier copy first", async () => {
    const created = await sink.create(
      pipelineRun({ generateName: "build-", key: "e1.0.0", namespace: "team-a" }),
      ctx,
    );
    expect(created).toMatchObject({ apiVersion: "tekton.dev/v1", kind: "PipelineRun" });
    expect(created.namespace).toBe("team-a");
    expect(created.name).toMatch(/^build-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(created.location).toBe(
      `/apis/tekton.dev/v1/namespaces/team-a/pipelineruns/${created.name}`,
    );
    const [stored] = fake.objects({ namespace: "team-a" });
    expect(stored?.metadata).toMatchObject({
      name: created.name,
      namespace: "team-a",
      generateName: "build-",
      labels: { [KEY]: "e1.0.0", "triggers.tekton.dev/trigger": "push" },
    });
    expect(stored?.["spec"]).toEqual({
      pipelineRef: { name: "build" },
      params: [{ name: "revision", value: "abc" }],
    });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /apis/tekton.dev/v1",
      "GET /apis/tekton.dev/v1/namespaces/team-a/pipelineruns",
      "POST /apis/tekton.dev/v1/namespaces/team-a/pipelineruns",
    ]);
    expect(fake.requests[1]?.query.get("labelSelector")).toBe(`${KEY}=e1.0.0`);
    expect(fake.requests.every((r) => r.impersonateUser === undefined)).toBe(true);
  });

  it("does not create a second copy on a retry: the earlier one is found by its delivery key", async () => {
    const resource = pipelineRun({ generateName: "retry-", key: "e2.0.0" });
    const first = await sink.create(resource, ctx);
    // A new process (a new sink) retrying after a crash finds the same object.
    const again = await createKubernetesSink({ kubeConfig: kc }).create(resource, ctx);
    expect(again).toEqual(first);
    expect(fake.objects().filter((o) => o.metadata.labels?.[KEY] === "e2.0.0")).toHaveLength(1);
  });

  it("asks discovery once per client", async () => {
    await sink.create(pipelineRun({ generateName: "a-", key: "e3.0.0" }), ctx);
    await sink.create(pipelineRun({ generateName: "a-", key: "e3.0.1" }), ctx);
    expect(fake.requests.filter((r) => r.path === "/apis/tekton.dev/v1")).toHaveLength(1);
  });

  it("reuses its connections to the API server", async () => {
    await sink.create(pipelineRun({ generateName: "conn-", key: "e3.1.0" }), ctx);
    const before = fake.connections;
    for (let i = 1; i <= 3; i++)
      await sink.create(pipelineRun({ generateName: "conn-", key: `e3.1.${i}` }), ctx);
    expect(fake.requests.length).toBeGreaterThanOrEqual(9);
    expect(fake.connections - before).toBeLessThanOrEqual(1);
  });

  it("impersonates system:serviceaccount:<trigger namespace>:<serviceAccountName> on every request", async () => {
    await sink.create(pipelineRun({ generateName: "sa-", key: "e4.0.0", namespace: "ci" }), {
      ...ctx,
      serviceAccountName: "builder",
    });
    expect(fake.requests.length).toBeGreaterThanOrEqual(3);
    expect(fake.requests.map((r) => r.impersonateUser)).toEqual(
      fake.requests.map(() => "system:serviceaccount:ci:builder"),
    );
    // The trigger's namespace, when the context carries it, even for a resource elsewhere.
    fake.requests.length = 0;
    const withNamespace = { ...ctx, serviceAccountName: "builder", triggerNamespace: "triggers" };
    await sink.create(
      pipelineRun({ generateName: "sa-", key: "e4.0.1", namespace: "ci" }),
      withNamespace,
    );
    expect(new Set(fake.requests.map((r) => r.impersonateUser))).toEqual(
      new Set(["system:serviceaccount:triggers:builder"]),
    );
    // The plain client is unchanged by the impersonating one.
    fake.requests.length = 0;
    await sink.create(pipelineRun({ generateName: "plain-", key: "e4.0.2" }), ctx);
    expect(fake.requests.every((r) => r.impersonateUser === undefined)).toBe(true);
  });

  it("counts a 409 for an object carrying this delivery's key as delivered", async () => {
    const resource = pipelineRun({ name: "named-run", key: "e5.0.0" });
    const first = await sink.create(resource, ctx);
    fake.requests.length = 0;
    const again = await sink.create(resource, ctx);
    expect(again).toEqual(first);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /apis/tekton.dev/v1/namespaces/ci/pipelineruns",
      "GET /apis/tekton.dev/v1/namespaces/ci/pipelineruns/named-run",
    ]);
    expect(fake.objects().filter((o) => o.metadata.name === "named-run")).toHaveLength(1);
  });

  it("fails for good on a 409 for someone else's object, with the API's message", async () => {
    fake.put({
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: { name: "taken", namespace: "ci", labels: { [KEY]: "other" } },
    });
    const err = await failure(sink.create(pipelineRun({ name: "taken", key: "e6.0.0" }), ctx));
    expect(err.code).toBe("HL_SINK_ALREADY_EXISTS");
    expect(err.details).toMatchObject({ retryable: false, status: 409 });
    expect(err.message).toContain('pipelineruns.tekton.dev "taken" already exists');
  });

  it("fails for good on the API server's 422, keeping its message", async () => {
    const err = await failure(sink.create(pipelineRun({ name: "Not_Valid", key: "e7.0.0" }), ctx));
    expect(err.code).toBe("HL_SINK_WRITE_FAILED");
    expect(err.details).toMatchObject({ retryable: false, status: 422, reason: "Invalid" });
    expect(err.message).toContain(
      'PipelineRun "Not_Valid" is invalid: metadata.name: Invalid value',
    );
  });

  it.each([
    { name: "400 BadRequest", code: 400, reason: "BadRequest", retryable: false },
    { name: "403 Forbidden", code: 403, reason: "Forbidden", retryable: false },
    { name: "404 NotFound", code: 404, reason: "NotFound", retryable: false },
    { name: "422 Invalid", code: 422, reason: "Invalid", retryable: false },
    { name: "429 TooManyRequests", code: 429, reason: "TooManyRequests", retryable: true },
    { name: "500 InternalError", code: 500, reason: "InternalError", retryable: true },
    { name: "503 ServiceUnavailable", code: 503, reason: "ServiceUnavailable", retryable: true },
    { name: "504 Timeout", code: 504, reason: "Timeout", retryable: true },
  ])("classifies a create answered $name", async ({ code, reason, retryable }) => {
    const message = `fake ${reason} for the test`;
    fake.intercept = (r) =>
      r.method === "POST" ? { kind: "status", code, reason, message } : undefined;
    const err = await failure(sink.create(pipelineRun({ generateName: "x-", key: "e8" }), ctx));
    expect(err.details).toMatchObject({ retryable, status: code, reason });
    expect(err.message).toContain(message);
  });

  it("honours Retry-After on a 429", async () => {
    fake.intercept = (r) =>
      r.method === "POST"
        ? {
            kind: "status",
            code: 429,
            reason: "TooManyRequests",
            message: "too many requests, please try again later",
            retryAfterSeconds: 7,
          }
        : undefined;
    const err = await failure(sink.create(pipelineRun({ generateName: "x-", key: "e9" }), ctx));
    expect(err.details).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7_000 });
  });

  it("gives up on a hung API server after the request timeout, retryably", async () => {
    const quick = createKubernetesSink({ kubeConfig: kc, requestTimeoutMs: 300 });
    fake.intercept = (r) => (r.method === "POST" ? { kind: "hang" } : undefined);
    const started = Date.now();
    const err = await failure(quick.create(pipelineRun({ generateName: "x-", key: "e10" }), ctx));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err.details).toMatchObject({ retryable: true, reason: "Timeout" });
  });

  it("keeps a whole create under its deadline", async () => {
    const quick = createKubernetesSink({
      kubeConfig: kc,
      requestTimeoutMs: 5_000,
      deadlineMs: 300,
    });
    fake.intercept = (r) => (r.method === "GET" ? { kind: "hang" } : undefined);
    const err = await failure(quick.create(pipelineRun({ generateName: "x-", key: "e11" }), ctx));
    expect(err.details).toMatchObject({ retryable: true, reason: "Timeout" });
  });

  it("fails for good on a kind the API server does not serve", async () => {
    const err = await failure(
      sink.create({ ...pipelineRun({ generateName: "x-", key: "e12" }), kind: "Nope" }, ctx),
    );
    expect(err.details).toMatchObject({ retryable: false, status: 404 });
    expect(err.message).toContain('serves no kind "Nope" in "tekton.dev/v1"');
    const gone = await failure(
      sink.create(
        { ...pipelineRun({ generateName: "x-", key: "e12" }), apiVersion: "nothing.dev/v9" },
        ctx,
      ),
    );
    expect(gone.details).toMatchObject({ retryable: false, status: 404 });
  });

  it("creates core and cluster-scoped kinds: a ConfigMap and a Namespace", async () => {
    const cm = await sink.create(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "ci",
        name: "settings",
        generateName: undefined,
        body: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "settings", labels: { [KEY]: "e13.0.0" } },
          data: { a: "1" },
        },
      },
      ctx,
    );
    expect(cm.location).toBe("/api/v1/namespaces/ci/configmaps/settings");
    expect(fake.objects({ kind: "ConfigMap" })[0]?.["data"]).toEqual({ a: "1" });
    const ns = await sink.create(
      {
        apiVersion: "v1",
        kind: "Namespace",
        namespace: "default",
        name: undefined,
        generateName: "preview-",
        body: {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { generateName: "preview-", labels: { [KEY]: "e13.0.1" } },
        },
      },
      ctx,
    );
    expect(ns.location).toBe(`/api/v1/namespaces/${ns.name}`);
    expect(fake.objects({ kind: "Namespace" })[0]?.metadata.namespace).toBeUndefined();
  });

  it("creates without looking when the service account may not list, and says so", async () => {
    fake.intercept = (r) =>
      r.method === "GET" && r.query.has("labelSelector")
        ? {
            kind: "status",
            code: 403,
            reason: "Forbidden",
            message: 'pipelineruns.tekton.dev is forbidden: User "x" cannot list resource',
          }
        : undefined;
    const created = await sink.create(pipelineRun({ generateName: "nolist-", key: "e14" }), ctx);
    expect(created.name).toMatch(/^nolist-/);
    expect(logs.entries.some((e) => String(e["message"]).startsWith("cannot list"))).toBe(true);
  });

  it("retries when the API server cannot be reached, and never logs the token", async () => {
    const down = await createFakeKubeApiServer();
    const downKc = new KubeConfig();
    downKc.loadFromString(down.kubeconfig());
    await down.stop();
    const err = await failure(
      createKubernetesSink({ kubeConfig: downKc }).create(
        pipelineRun({ generateName: "x-", key: "e15" }),
        ctx,
      ),
    );
    expect(err.details).toMatchObject({ retryable: true, reason: "ECONNREFUSED" });
    expect(err.message).toContain("could not be reached");
    expect(logs.text()).not.toContain(fake.token);
    expect(err.message).not.toContain(down.token);
  });

  it("retries on 401 (a wrong or expired token) and keeps the token out of the message", async () => {
    const wrong = new KubeConfig();
    wrong.loadFromString(fake.kubeconfig({ token: "not-the-token" }));
    const err = await failure(
      createKubernetesSink({ kubeConfig: wrong }).create(
        pipelineRun({ generateName: "x-", key: "e16" }),
        ctx,
      ),
    );
    expect(err.details).toMatchObject({ retryable: true, status: 401, reason: "Unauthorized" });
    expect(err.message).not.toContain("not-the-token");
  });

  it("fails for good when impersonation is refused", async () => {
    const strict = await createFakeKubeApiServer({ mayImpersonate: () => false });
    try {
      const strictKc = new KubeConfig();
      strictKc.loadFromString(strict.kubeconfig());
      const err = await failure(
        createKubernetesSink({ kubeConfig: strictKc }).create(
          pipelineRun({ generateName: "x-", key: "e17" }),
          { ...ctx, serviceAccountName: "builder" },
        ),
      );
      expect(err.details).toMatchObject({ retryable: false, status: 403 });
      expect(err.message).toContain("cannot impersonate");
    } finally {
      await strict.close();
    }
  });
});

describe("loadKubeConfig", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("reads the file KUBECONFIG names", async () => {
    const fake = await createFakeKubeApiServer({ listen: false, port: 6443 });
    const dir = await mkdtemp(join(tmpdir(), "hookline-kube-"));
    try {
      vi.stubEnv("KUBECONFIG", fake.writeKubeconfig(dir));
      const kc = loadKubeConfig();
      expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
      expect(kc.getCurrentUser()?.name).toBe("hookline");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses to guess when there is no configuration at all", async () => {
    const home = await mkdtemp(join(tmpdir(), "hookline-home-"));
    try {
      vi.stubEnv("KUBECONFIG", "");
      vi.stubEnv("HOME", home);
      vi.stubEnv("USERPROFILE", home);
      expect(() => loadKubeConfig()).toThrow(/no Kubernetes configuration found/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("names the file it could not read", () => {
    vi.stubEnv("KUBECONFIG", "/nonexistent/kubeconfig");
    expect(() => loadKubeConfig()).toThrow(/\/nonexistent\/kubeconfig/);
  });

  it("reads the files the settings' KUBECONFIG names, whatever the process's says", async () => {
    const fake = await createFakeKubeApiServer({ listen: false, port: 6443 });
    const dir = await mkdtemp(join(tmpdir(), "hookline-kube-"));
    try {
      vi.stubEnv("KUBECONFIG", "/nonexistent/kubeconfig");
      const kc = loadKubeConfig(fake.writeKubeconfig(dir));
      expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
      expect(() => loadKubeConfig("/nonexistent/settings-kubeconfig")).toThrow(
        /\/nonexistent\/settings-kubeconfig/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
