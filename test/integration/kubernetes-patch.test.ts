import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDeliveryWorker, type DeliveryWorker } from "../../src/delivery/delivery-worker.js";
import { createKubernetesSink } from "../../src/sinks/kubernetes/kubernetes-sink.js";
import { loadKubeConfig } from "../../src/sinks/kubernetes/load-kube-config.js";
import type { PatchDeliveryRecord, RunRecord } from "../../src/store/types.js";
import {
  createFakeKubeApiServer,
  type FakeKubeApiServer,
  type StoredObject,
} from "../support/fake-kube-apiserver.js";
import { createTestApp, writeConfigDir, type TestApp } from "../support/test-app.js";

/** Four triggers in ci, chosen by body.mode: each patches with one type. */
const CONFIG = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: patcher
  namespace: ci
spec:
  triggers:
    - name: refresh
      serviceAccountName: refresher
      interceptors:
        - ref: { name: cel }
          params:
            - name: filter
              value: "body.mode == 'refresh'"
      bindings:
        - name: app
          value: $(body.app)
      template:
        spec:
          params:
            - name: app
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata:
                generateName: build-
              spec:
                pipelineRef: { name: build }
            - apiVersion: hookline.dev/v1alpha1
              kind: Patch
              spec:
                target:
                  apiVersion: argoproj.io/v1alpha1
                  kind: Application
                  namespace: argocd
                  name: $(tt.params.app)
                patch:
                  metadata:
                    annotations:
                      argocd.argoproj.io/refresh: normal
    - name: json
      interceptors:
        - ref: { name: cel }
          params:
            - name: filter
              value: "body.mode == 'json'"
      bindings:
        - name: rev
          value: $(body.rev)
      template:
        spec:
          params:
            - name: rev
          resourcetemplates:
            - apiVersion: hookline.dev/v1alpha1
              kind: Patch
              spec:
                target: { apiVersion: v1, kind: ConfigMap, name: settings }
                type: json
                patch:
                  - op: test
                    path: /data/owner
                    value: ci
                  - op: replace
                    path: /data/rev
                    value: $(tt.params.rev)
    - name: strategic
      interceptors:
        - ref: { name: cel }
          params:
            - name: filter
              value: "body.mode == 'strategic'"
      bindings:
        - name: image
          value: $(body.image)
        - name: kind
          value: $(body.kind)
        - name: api
          value: $(body.api)
      template:
        spec:
          params:
            - name: image
            - name: kind
            - name: api
          resourcetemplates:
            - apiVersion: hookline.dev/v1alpha1
              kind: Patch
              spec:
                target: { apiVersion: $(tt.params.api), kind: $(tt.params.kind), name: web }
                type: strategic
                patch:
                  spec:
                    containers:
                      - name: app
                        image: $(tt.params.image)
`;

const APPLICATION: StoredObject = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  metadata: { name: "web", namespace: "argocd", annotations: { team: "payments" } },
  spec: { project: "default" },
};

interface Harness {
  app: TestApp;
  fake: FakeKubeApiServer;
  worker: DeliveryWorker;
  dir: string;
  configDir: string;
}

async function harness(): Promise<Harness> {
  const fake = await createFakeKubeApiServer();
  const dir = await mkdtemp(join(tmpdir(), "hookline-kube-patch-"));
  vi.stubEnv("KUBECONFIG", fake.writeKubeconfig(dir));
  const sink = createKubernetesSink({ kubeConfig: loadKubeConfig(), requestTimeoutMs: 2_000 });
  const configDir = await writeConfigDir({ "patch.yaml": CONFIG });
  const app = await createTestApp(configDir, { sink });
  const worker = createDeliveryWorker({
    journal: app.journal,
    sink,
    log: app.log,
    backoff: { baseMs: 1, capMs: 5 },
    maxAttempts: 50,
  });
  return { app, fake, worker, dir, configDir };
}

async function deliver(h: Harness, body: unknown): Promise<RunRecord> {
  const res = await request(h.app.server)
    .post("/")
    .set("Content-Type", "application/json")
    .send(JSON.stringify(body));
  expect(res.status).toBe(202);
  const eventId = (res.body as { eventID: string }).eventID;
  const until = Date.now() + 10_000;
  for (;;) {
    await h.worker.drain();
    const [run] = await h.app.journal.getRuns(eventId);
    if (run !== undefined && run.state !== "pending") return run;
    if (Date.now() > until) throw new Error(`run still pending: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function patchOf(run: RunRecord): PatchDeliveryRecord {
  const d = run.deliveries.find((x) => x.kind === "patch");
  if (d?.kind !== "patch") throw new Error("no patch delivery in the run");
  return d;
}

function object(h: Harness, kind: string, namespace: string, name: string): StoredObject {
  const found = h.fake
    .objects({ kind, namespace })
    .find((o) => o.metadata.name === name) as StoredObject;
  return found;
}

describe("Patch deliveries through the Kubernetes sink, against a fake API server", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await h.app.close();
    await h.fake.close();
    await rm(h.dir, { recursive: true, force: true });
    await rm(h.configDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    h.fake.intercept = undefined;
    h.fake.requests.length = 0;
  });

  it("creates the PipelineRun, then refreshes the Argo CD Application (merge), as the trigger's service account", async () => {
    h.fake.apply(APPLICATION);
    const run = await deliver(h, { mode: "refresh", app: "web" });
    expect(run.state).toBe("delivered");
    expect(run.deliveries.map((d) => [d.kind, d.state])).toEqual([
      ["resource", "delivered"],
      ["patch", "delivered"],
    ]);
    expect(h.fake.objects({ kind: "PipelineRun", namespace: "ci" })).toHaveLength(1);
    const app = object(h, "Application", "argocd", "web");
    expect(app.metadata["annotations"]).toEqual({
      team: "payments",
      "argocd.argoproj.io/refresh": "normal",
    });
    expect(app["spec"]).toEqual({ project: "default" });
    const patch = h.fake.requests.find((r) => r.method === "PATCH");
    expect(patch).toMatchObject({
      path: "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web",
      contentType: "application/merge-patch+json",
      impersonateUser: "system:serviceaccount:ci:refresher",
    });
    expect(patchOf(run).patched).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      namespace: "argocd",
      name: "web",
      location: "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web",
    });
  });

  it("sends a missing target to dead letter with the API server's message, not retried", async () => {
    const run = await deliver(h, { mode: "refresh", app: "gone" });
    expect(run.state).toBe("dead");
    expect(run.attempts).toBe(1);
    const d = patchOf(run);
    expect(d.state).toBe("dead");
    expect(d.attempts).toHaveLength(1);
    expect(d.attempts[0]?.retryable).toBe(false);
    expect(run.lastError).toBe(
      'Patch of Application "argocd/gone": the Kubernetes API answered 404 NotFound: applications.argoproj.io "gone" not found',
    );
    expect(h.fake.requests.filter((r) => r.method === "PATCH")).toHaveLength(1);
  });

  it.each([
    [500, "InternalError"],
    [409, "Conflict"],
    [429, "TooManyRequests"],
  ])("retries a %i, then succeeds", async (code, reason) => {
    h.fake.apply({ ...APPLICATION, metadata: { name: "retried", namespace: "argocd" } });
    let failed = false;
    h.fake.intercept = (r) => {
      if (r.method !== "PATCH" || failed) return undefined;
      failed = true;
      return { kind: "status", code, reason, message: "try again" };
    };
    const run = await deliver(h, { mode: "refresh", app: "retried" });
    expect(run.state).toBe("delivered");
    expect(run.attempts).toBe(2);
    expect(patchOf(run).attempts.map((a) => a.retryable)).toEqual([true, undefined]);
    // The PipelineRun was created once: the retry only tries what was not yet delivered.
    expect(run.deliveries[0]?.attempts).toHaveLength(1);
    expect(object(h, "Application", "argocd", "retried").metadata["annotations"]).toEqual({
      "argocd.argoproj.io/refresh": "normal",
    });
  });

  it("applies a json patch (RFC 6902) with application/json-patch+json, without impersonation", async () => {
    h.fake.apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "ci" },
      data: { owner: "ci", rev: "old" },
    });
    const run = await deliver(h, { mode: "json", rev: "abc123" });
    expect(run.state).toBe("delivered");
    expect(object(h, "ConfigMap", "ci", "settings")["data"]).toEqual({
      owner: "ci",
      rev: "abc123",
    });
    const patch = h.fake.requests.find((r) => r.method === "PATCH");
    expect(patch?.path).toBe("/api/v1/namespaces/ci/configmaps/settings");
    expect(patch?.contentType).toBe("application/json-patch+json");
    expect(patch?.impersonateUser).toBeUndefined();
  });

  it("applies a strategic merge patch: containers merged by name", async () => {
    h.fake.apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "ci" },
      spec: {
        containers: [
          { name: "app", image: "app:1" },
          { name: "sidecar", image: "proxy:1" },
        ],
      },
    });
    const run = await deliver(h, { mode: "strategic", api: "v1", kind: "Pod", image: "app:2" });
    expect(run.state).toBe("delivered");
    expect(object(h, "Pod", "ci", "web")["spec"]).toEqual({
      containers: [
        { name: "app", image: "app:2" },
        { name: "sidecar", image: "proxy:1" },
      ],
    });
    expect(h.fake.requests.find((r) => r.method === "PATCH")?.contentType).toBe(
      "application/strategic-merge-patch+json",
    );
  });

  it("a strategic patch of a custom resource is refused for good (415), as the API server does", async () => {
    h.fake.apply({ ...APPLICATION, metadata: { name: "web", namespace: "ci" } });
    const run = await deliver(h, {
      mode: "strategic",
      api: "argoproj.io/v1alpha1",
      kind: "Application",
      image: "x",
    });
    expect(run.state).toBe("dead");
    expect(patchOf(run).attempts[0]?.retryable).toBe(false);
    expect(run.lastError).toContain("415 UnsupportedMediaType");
  });
});
