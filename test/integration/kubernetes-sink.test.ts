import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeIo } from "../support/fake-io.js";
import { createDeliveryWorker, type DeliveryWorker } from "../../src/delivery/delivery-worker.js";
import { runServe } from "../../src/cli/serve-command.js";
import { DEFAULT_MAX_BODY, serve, type ServeOptions } from "../../src/main.js";
import { createKubernetesSink } from "../../src/sinks/kubernetes/kubernetes-sink.js";
import { loadKubeConfig } from "../../src/sinks/kubernetes/load-kube-config.js";
import type { DeliveryRecord, ResourceDeliveryRecord, RunRecord } from "../../src/store/types.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, githubFixture, signGithub } from "../support/fixtures.js";
import {
  createFakeKubeApiServer,
  reservePort,
  type FakeKubeApiServer,
} from "../support/fake-kube-apiserver.js";
import { createTestApp, writeConfigDir, type TestApp } from "../support/test-app.js";

const KEY = "hookline.dev/delivery-key";
const EVENT_ID = "triggers.tekton.dev/triggers-eventid";

/** Two triggers in namespace `ci`: one names its PipelineRun, one uses generateName. */
const CONFIG = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: kube
  namespace: ci
spec:
  triggers:
    - name: named
      serviceAccountName: creator
      interceptors:
        - ref:
            name: cel
          params:
            - name: filter
              value: "body.mode == 'named'"
      bindings:
        - name: run-name
          value: $(body.name)
      template:
        spec:
          params:
            - name: run-name
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata:
                name: $(tt.params.run-name)
              spec:
                pipelineRef:
                  name: build
    - name: generated
      interceptors:
        - ref:
            name: cel
          params:
            - name: filter
              value: "body.mode == 'generated'"
      template:
        spec:
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata:
                generateName: gen-
              spec:
                pipelineRef:
                  name: build
`;

interface Harness {
  app: TestApp;
  fake: FakeKubeApiServer;
  /** A worker with a millisecond backoff, so retries happen within the test. */
  worker: DeliveryWorker;
  dir: string;
}

async function harness(configDir: string, fake: FakeKubeApiServer): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "hookline-kube-"));
  // Through a real kubeconfig file, found as `hookline serve --sink kubernetes` finds it.
  vi.stubEnv("KUBECONFIG", fake.writeKubeconfig(dir));
  const sink = createKubernetesSink({ kubeConfig: loadKubeConfig(), requestTimeoutMs: 2_000 });
  const app = await createTestApp(configDir, { sink });
  const worker = createDeliveryWorker({
    journal: app.journal,
    sink,
    log: app.log,
    backoff: { baseMs: 1, capMs: 5 },
    // With millisecond backoff a drain retries many times while the API server is down: the runs
    // must stay pending rather than use up the default 10 attempts.
    maxAttempts: 10_000,
  });
  return { app, fake, worker, dir };
}

/** Drains until every run of these events is finished (delivered or dead). */
async function deliverAll(
  h: Harness,
  eventIds: string[],
  timeoutMs = 10_000,
): Promise<RunRecord[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await h.worker.drain();
    const runs = (await Promise.all(eventIds.map((id) => h.app.journal.getRuns(id)))).flat();
    if (runs.length > 0 && runs.every((r) => r.state !== "pending")) return runs;
    if (Date.now() > until) throw new Error(`runs still pending: ${JSON.stringify(runs)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function post(app: TestApp, body: unknown): Promise<string> {
  const res = await request(app.server)
    .post("/")
    .set("Content-Type", "application/json")
    .send(JSON.stringify(body));
  expect(res.status).toBe(202);
  return (res.body as { eventID: string }).eventID;
}

describe("the Kubernetes sink in the app, against a fake API server", () => {
  afterEach(() => vi.unstubAllEnvs());

  describe("the example listener, its trigger with a serviceAccountName", () => {
    let h: Harness;
    let configDir: string;
    beforeAll(async () => {
      configDir = await mkdtemp(join(tmpdir(), "hookline-config-"));
      await cp(EXAMPLE_CONFIG, configDir, { recursive: true });
      const el = join(configDir, "eventlistener.yaml");
      const text = await readFile(el, "utf8");
      await writeFile(
        el,
        text.replace(
          "    - name: github-push\n",
          "    - name: github-push\n      serviceAccountName: pipeline-starter\n",
        ),
      );
      h = await harness(configDir, await createFakeKubeApiServer());
    });
    afterAll(async () => {
      await h.app.close();
      await h.fake.close();
      await rm(h.dir, { recursive: true, force: true });
      await rm(configDir, { recursive: true, force: true });
    });

    it("creates the PipelineRun of a signed push in the trigger's namespace, as its service account", async () => {
      const body = githubFixture("push");
      const res = await request(h.app.server)
        .post("/")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set("X-GitHub-Delivery", "9b1f2c3e-cc78-11e3-81ab-4c9367dc0958")
        .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
        .send(body.toString());
      expect(res.status).toBe(202);
      const eventId = (res.body as { eventID: string }).eventID;

      const [run] = await deliverAll(h, [eventId]);
      expect(run?.state).toBe("delivered");
      const runs = h.fake.objects({ kind: "PipelineRun" });
      expect(runs).toHaveLength(1);
      const pr = runs[0];
      expect(pr?.apiVersion).toBe("tekton.dev/v1");
      expect(pr?.metadata.namespace).toBe("default");
      expect(pr?.metadata.name).toMatch(/^build-and-test-[a-z0-9]{5}$/);
      expect(pr?.metadata.labels).toMatchObject({
        "triggers.tekton.dev/eventlistener": "github-listener",
        "triggers.tekton.dev/trigger": "github-push",
        [EVENT_ID]: eventId,
        "app.kubernetes.io/part-of": "hookline-example",
        [KEY]: `${eventId}.0.0`,
      });
      expect(pr?.["spec"]).toMatchObject({
        pipelineRef: { name: "build-and-test" },
        params: [
          { name: "revision", value: "6113728f27ae82c7b1a177c8d03f9e96e0adf246" },
          { name: "repo-url", value: "https://github.com/Codertocat/Hello-World.git" },
          { name: "branch", value: "master" },
        ],
      });
      const create = h.fake.requests.find((r) => r.method === "POST");
      expect(create?.path).toBe("/apis/tekton.dev/v1/namespaces/default/pipelineruns");
      expect(create?.impersonateUser).toBe("system:serviceaccount:default:pipeline-starter");
      expect(h.fake.requests.every((r) => r.authenticated)).toBe(true);
      expect(resourceOf(run?.deliveries[0])?.created).toMatchObject({
        namespace: "default",
        name: pr?.metadata.name,
        location: `/apis/tekton.dev/v1/namespaces/default/pipelineruns/${pr?.metadata.name}`,
      });
      expect(h.app.logs.text()).not.toContain(h.fake.token);
    });
  });

  describe("a listener in namespace ci", () => {
    let h: Harness;
    let configDir: string;
    beforeAll(async () => {
      configDir = await writeConfigDir({ "kube.yaml": CONFIG });
      h = await harness(configDir, await createFakeKubeApiServer());
    });
    afterAll(async () => {
      await h.app.close();
      await h.fake.close();
      await rm(h.dir, { recursive: true, force: true });
      await rm(configDir, { recursive: true, force: true });
    });

    it("counts a 409 for an object carrying this delivery's key as delivered", async () => {
      // The first create is carried out but its answer is lost: the retry meets its own object.
      let lost = false;
      h.fake.intercept = (r) => {
        if (r.method !== "POST" || lost) return undefined;
        lost = true;
        return {
          kind: "status",
          code: 503,
          reason: "ServiceUnavailable",
          message: "the answer was lost",
          afterApplying: true,
        };
      };
      const eventId = await post(h.app, { mode: "named", name: "nightly-1" });
      const [run] = await deliverAll(h, [eventId]);
      h.fake.intercept = undefined;
      expect(run?.state).toBe("delivered");
      expect(run?.attempts).toBe(2);
      expect(run?.deliveries[0]?.attempts.map((a) => a.retryable)).toEqual([true, undefined]);
      expect(
        h.fake.objects({ namespace: "ci" }).filter((o) => o.metadata.name === "nightly-1"),
      ).toHaveLength(1);
      const posts = h.fake.requests.filter((r) => r.method === "POST");
      expect(posts.map((r) => r.impersonateUser)).toEqual([
        "system:serviceaccount:ci:creator",
        "system:serviceaccount:ci:creator",
      ]);
    });

    it("finds a generateName resource whose answer was lost instead of creating a second one", async () => {
      let lost = false;
      h.fake.intercept = (r) => {
        if (r.method !== "POST" || lost) return undefined;
        lost = true;
        return {
          kind: "status",
          code: 504,
          reason: "Timeout",
          message: "the answer was lost",
          afterApplying: true,
        };
      };
      const eventId = await post(h.app, { mode: "generated" });
      const [run] = await deliverAll(h, [eventId]);
      h.fake.intercept = undefined;
      expect(run?.state).toBe("delivered");
      const mine = h.fake.objects().filter((o) => o.metadata.labels?.[EVENT_ID] === eventId);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.metadata.name).toMatch(/^gen-/);
      expect(resourceOf(run?.deliveries[0])?.created?.name).toBe(mine[0]?.metadata.name);
    });

    it("dead-letters a resource the API server rejects with 422, keeping its message", async () => {
      const eventId = await post(h.app, { mode: "named", name: "Not_A_Valid_Name" });
      const [run] = await deliverAll(h, [eventId]);
      expect(run?.state).toBe("dead");
      expect(run?.attempts).toBe(1);
      expect(run?.deliveries[0]?.state).toBe("dead");
      expect(run?.lastError).toContain('PipelineRun "Not_A_Valid_Name" is invalid: metadata.name');
      expect(run?.lastError).toContain("422 Invalid");
      expect(run?.deliveries[0]?.attempts).toEqual([
        expect.objectContaining({ retryable: false }) as unknown,
      ]);
    });

    it("dead-letters someone else's object of the same name", async () => {
      h.fake.put({
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        metadata: { name: "taken", namespace: "ci", labels: { app: "someone-else" } },
      });
      const eventId = await post(h.app, { mode: "named", name: "taken" });
      const [run] = await deliverAll(h, [eventId]);
      expect(run?.state).toBe("dead");
      expect(run?.lastError).toContain('pipelineruns.tekton.dev "taken" already exists');
    });
  });

  it("delivers every event exactly once when the API server is down at first, then up", async () => {
    const port = await reservePort();
    const fake = await createFakeKubeApiServer({ port, listen: false });
    const configDir = await writeConfigDir({ "kube.yaml": CONFIG });
    const h = await harness(configDir, fake);
    try {
      const eventIds: string[] = [];
      for (let i = 0; i < 3; i++) eventIds.push(await post(h.app, { mode: "generated" }));
      eventIds.push(await post(h.app, { mode: "named", name: "while-down" }));
      // Port closed: every attempt fails with "connection refused" and is kept for a retry.
      // A round may still be in flight when drain() returns (the worker also runs on its own):
      // wait, bounded, until every run has recorded its failed attempt.
      let waiting: Awaited<ReturnType<typeof h.app.journal.getRuns>> = [];
      for (let i = 0; i < 100; i++) {
        await h.worker.drain();
        waiting = (await Promise.all(eventIds.map((id) => h.app.journal.getRuns(id)))).flat();
        if (waiting.length === 4 && waiting.every((r) => r.attempts >= 1)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(waiting).toHaveLength(4);
      expect(waiting.every((r) => r.state === "pending" && r.attempts >= 1)).toBe(true);
      expect(waiting[0]?.lastError).toContain("could not be reached");
      expect(waiting[0]?.lastError).toContain("ECONNREFUSED");

      await fake.start();
      const runs = await deliverAll(h, eventIds);
      expect(runs.map((r) => r.state)).toEqual([
        "delivered",
        "delivered",
        "delivered",
        "delivered",
      ]);
      for (const id of eventIds) {
        expect(fake.objects().filter((o) => o.metadata.labels?.[EVENT_ID] === id)).toHaveLength(1);
      }
      expect(fake.objects()).toHaveLength(4);
    } finally {
      await h.app.close();
      await fake.close();
      await rm(h.dir, { recursive: true, force: true });
      await rm(configDir, { recursive: true, force: true });
    }
  });

  describe("hookline serve --sink kubernetes", () => {
    const options = (configDir: string): ServeOptions => ({
      configDir,
      store: "memory",
      adminAddr: "127.0.0.1:0",
      port: 0,
      host: "127.0.0.1",
      outDir: join(tmpdir(), "hookline-unused-out"),
      sink: "kubernetes",
      secretsDir: undefined,
      maxBodyBytes: DEFAULT_MAX_BODY,
      defaultListener: undefined,
      watchConfig: false,
      tls: {},
      log: createCapturingLogger().log,
    });

    it("creates the example push's PipelineRun through the kubeconfig KUBECONFIG names", async () => {
      const fake = await createFakeKubeApiServer();
      const dir = await mkdtemp(join(tmpdir(), "hookline-kube-"));
      vi.stubEnv("KUBECONFIG", fake.writeKubeconfig(dir));
      const running = await serve(options(EXAMPLE_CONFIG));
      try {
        const body = githubFixture("push");
        const res = await fetch(`http://127.0.0.1:${running.port}/`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": "push",
            "x-hub-signature-256": await signGithub(body, EXAMPLE_SECRET),
          },
          body: body.toString(),
        });
        expect(res.status).toBe(202);
        const until = Date.now() + 10_000;
        while (fake.objects({ kind: "PipelineRun" }).length === 0 && Date.now() < until)
          await new Promise((resolve) => setTimeout(resolve, 20));
        expect(fake.objects({ kind: "PipelineRun", namespace: "default" })).toHaveLength(1);
      } finally {
        await running.close();
        await fake.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("does not start without a Kubernetes configuration, and says what to set", async () => {
      const home = await mkdtemp(join(tmpdir(), "hookline-home-"));
      try {
        vi.stubEnv("KUBECONFIG", "");
        vi.stubEnv("HOME", home);
        await expect(serve(options(EXAMPLE_CONFIG))).rejects.toThrow(
          /no Kubernetes configuration found.*KUBECONFIG/,
        );
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });

    it("refuses a sink it does not know", async () => {
      const flag = fakeIo();
      expect(await runServe(["--sink", "s3"], flag)).toBe(2);
      expect(flag.err()).toContain('invalid sink "s3" (--sink)');
      const variable = fakeIo({ HOOKLINE_SINK: "nowhere" });
      expect(await runServe([], variable)).toBe(2);
      expect(variable.err()).toContain('invalid sink "nowhere" (HOOKLINE_SINK)');
    });
  });
});

/** A resource delivery's record (the runs here carry nothing else). */
function resourceOf(d: DeliveryRecord | undefined): ResourceDeliveryRecord | undefined {
  return d?.kind === "resource" ? d : undefined;
}
