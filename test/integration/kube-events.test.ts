import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_MAX_BODY, serve, type ServeOptions } from "../../src/main.js";
import type { Running } from "../../src/runtime/create-runtime.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import {
  createFakeKubeApiServer,
  type FakeKubeApiServer,
  type StoredObject,
} from "../support/fake-kube-apiserver.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, githubFixture, signGithub } from "../support/fixtures.js";

interface EventObject extends StoredObject {
  involvedObject: { apiVersion: string; kind: string; name: string; namespace: string };
  reason: string;
  message: string;
  type: string;
  count: number;
}

const options = (kubeEvents = true, configDir = EXAMPLE_CONFIG): ServeOptions => ({
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
  kubeEvents,
  log: createCapturingLogger().log,
});

const push = githubFixture("push");

async function send(running: Running, secret: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${running.port}/`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-hub-signature-256": await signGithub(push, secret),
    },
    body: push.toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

function events(fake: FakeKubeApiServer): EventObject[] {
  return fake.objects({ kind: "Event" }) as EventObject[];
}

describe("Kubernetes Events (kubectl describe el)", () => {
  let fake: FakeKubeApiServer;
  let dir: string;
  let running: Running | undefined;

  beforeEach(async () => {
    fake = await createFakeKubeApiServer();
    dir = await mkdtemp(join(tmpdir(), "hookline-kube-events-"));
    vi.stubEnv("KUBECONFIG", fake.writeKubeconfig(dir));
  });

  afterEach(async () => {
    await running?.close();
    running = undefined;
    vi.unstubAllEnvs();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("puts Created on the PipelineRun it created", async () => {
    running = await serve(options());
    expect(await send(running, EXAMPLE_SECRET)).toBe(202);
    await vi.waitFor(() => expect(events(fake).map((e) => e.reason)).toContain("Created"), {
      timeout: 10_000,
    });
    const [run] = fake.objects({ kind: "PipelineRun" });
    const created = events(fake).find((e) => e.reason === "Created");
    expect(created).toMatchObject({
      type: "Normal",
      count: 1,
      involvedObject: {
        kind: "PipelineRun",
        name: run?.metadata.name,
        namespace: "default",
      },
      source: { component: "hookline" },
    });
    expect(created?.message).toMatch(/^Created by hookline from delivery of event /);
  });

  it("aggregates a burst of 100 rejected events into one Event counted 100, on the EventListener", async () => {
    running = await serve(options());
    const r = running;
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () => send(r, "not-the-secret")),
    );
    expect(statuses.every((s) => s >= 400)).toBe(true);
    await vi.waitFor(
      () => {
        const counted = events(fake)
          .filter((e) => e.reason === "EventRejected")
          .reduce((n, e) => n + e.count, 0);
        expect(counted).toBe(100);
      },
      { timeout: 20_000 },
    );
    const rejected = events(fake).filter((e) => e.reason === "EventRejected");
    // One (object, reason, message): one Event; the API calls are a create and a few patches.
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      type: "Warning",
      involvedObject: {
        apiVersion: "triggers.tekton.dev/v1beta1",
        kind: "EventListener",
        name: "github-listener",
        namespace: "default",
      },
    });
    expect(rejected[0]?.message).toMatch(/Trigger "github-push": interceptor "github" rejected/);
    const calls = fake.requests.filter(
      (q) => q.path.endsWith("/events") || q.path.includes("/events/"),
    );
    expect(calls.length).toBeLessThanOrEqual(10);
  });

  it("puts DeliveryDeadLettered on the EventListener when the PipelineRun is refused for good", async () => {
    fake.intercept = (q) =>
      q.method === "POST" && q.path.endsWith("/pipelineruns")
        ? {
            kind: "status",
            code: 422,
            reason: "Invalid",
            message: `spec.params: Invalid value: "${push.toString().slice(0, 40)}"`,
          }
        : undefined;
    running = await serve(options());
    expect(await send(running, EXAMPLE_SECRET)).toBe(202);
    await vi.waitFor(
      () => expect(events(fake).map((e) => e.reason)).toContain("DeliveryDeadLettered"),
      { timeout: 10_000 },
    );
    const dead = events(fake).find((e) => e.reason === "DeliveryDeadLettered");
    expect(dead?.involvedObject).toMatchObject({ kind: "EventListener", name: "github-listener" });
    expect(dead?.message).toMatch(/Trigger "github-push": PipelineRun went to dead letter/);
  });

  it("puts TriggerFailed on the EventListener for a trigger that fails on hookline's side", async () => {
    // The example with the GitHub trigger's template missing: a reference error, per request.
    const configDir = join(dir, "config");
    await cp(EXAMPLE_CONFIG, configDir, { recursive: true });
    const el = join(configDir, "eventlistener.yaml");
    await writeFile(
      el,
      (await readFile(el, "utf8")).replace("ref: build-and-test", "ref: no-such-template"),
    );
    running = await serve(options(true, configDir));
    await send(running, EXAMPLE_SECRET);
    await vi.waitFor(() => expect(events(fake).map((e) => e.reason)).toContain("TriggerFailed"), {
      timeout: 10_000,
    });
    const failed = events(fake).find((e) => e.reason === "TriggerFailed");
    expect(failed?.involvedObject).toMatchObject({
      kind: "EventListener",
      name: "github-listener",
    });
    expect(failed?.message).toMatch(/^Trigger "github-push" failed in its config/);
  });

  it("never puts payload content, a header value or a secret in an Event", async () => {
    fake.intercept = (q) =>
      q.method === "POST" && q.path.endsWith("/pipelineruns")
        ? {
            kind: "status",
            code: 422,
            reason: "Invalid",
            message: `Invalid value: "${push.toString()}"`,
          }
        : undefined;
    running = await serve(options());
    await send(running, EXAMPLE_SECRET);
    await send(running, "not-the-secret");
    await vi.waitFor(
      () =>
        expect(new Set(events(fake).map((e) => e.reason))).toEqual(
          new Set(["EventRejected", "DeliveryDeadLettered"]),
        ),
      { timeout: 10_000 },
    );
    const text = JSON.stringify(events(fake));
    const payload = JSON.parse(push.toString()) as {
      after: string;
      head_commit: { message: string };
      repository: { full_name: string };
    };
    for (const forbidden of [
      EXAMPLE_SECRET,
      await signGithub(push, EXAMPLE_SECRET),
      await signGithub(push, "not-the-secret"),
      payload.after,
      payload.head_commit.message,
      payload.repository.full_name,
    ])
      expect(text).not.toContain(forbidden);
  });

  it("posts no Event when HOOKLINE_KUBE_EVENTS is off", async () => {
    running = await serve(options(false));
    expect(await send(running, EXAMPLE_SECRET)).toBe(202);
    await send(running, "not-the-secret");
    await vi.waitFor(() => expect(fake.objects({ kind: "PipelineRun" })).toHaveLength(1), {
      timeout: 10_000,
    });
    await running.close();
    running = undefined;
    expect(fake.requests.filter((q) => q.path.includes("/events"))).toHaveLength(0);
  });
});
