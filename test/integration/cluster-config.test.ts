import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_MAX_BODY, serve, type Running, type ServeOptions } from "../../src/main.js";
import { createCapturingLogger, type MemoryTransport } from "../support/capture-logs.js";
import {
  createFakeKubeApiServer,
  TRIGGERS_FAKE_RESOURCES,
  type FakeKubeApiServer,
  type StoredObject,
} from "../support/fake-kube-apiserver.js";
import { EXAMPLE_CONFIG, ROOT, signGithub } from "../support/fixtures.js";

const PUSH = await readFile(join(ROOT, "examples", "payloads", "github-push.json"));
const EVENT_ID_LABEL = "triggers.tekton.dev/triggers-eventid";
const TRIGGER_LABEL = "triggers.tekton.dev/trigger";
const VERSION_LABEL = "hookline.test/template-version";
/** The webhook secret, only in the cluster: it must never show in a log line. */
const SECRET_VALUE = `cluster-only-${randomUUID()}`;

const GITHUB = {
  ref: { name: "github" },
  params: [
    { name: "secretRef", value: { secretName: "github-secret", secretKey: "secretToken" } },
    { name: "eventTypes", value: ["push"] },
  ],
};

function template(version: string, extraParam = false): StoredObject {
  return {
    apiVersion: "triggers.tekton.dev/v1beta1",
    kind: "TriggerTemplate",
    metadata: { name: "build", namespace: "ci" },
    spec: {
      params: [{ name: "sha" }],
      resourcetemplates: [
        {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          metadata: { generateName: "build-", labels: { [VERSION_LABEL]: version } },
          spec: {
            pipelineRef: { name: "build" },
            params: [
              { name: "sha", value: "$(tt.params.sha)" },
              // Not declared in spec.params: a document error.
              ...(extraParam ? [{ name: "oops", value: "$(tt.params.undeclared)" }] : []),
            ],
          },
        },
      ],
    },
  };
}

function listener(name: string, annotated: boolean): StoredObject {
  return {
    apiVersion: "triggers.tekton.dev/v1beta1",
    kind: "EventListener",
    metadata: {
      name,
      namespace: "ci",
      ...(annotated ? { annotations: { "hookline.dev/serve": "true" } } : {}),
    },
    spec: {
      serviceAccountName: "el-sa",
      // Triggers in the listener's namespace with this label are selected too.
      labelSelector: { matchLabels: { "hookline.test/listener": "yes" } },
      triggers: [
        {
          name: "github-push",
          interceptors: [GITHUB],
          bindings: [{ ref: "push-binding" }],
          template: { ref: "build" },
        },
      ],
    },
    status: { address: { url: `http://el-${name}.ci.svc.cluster.local:8080` } },
  };
}

const EXTRA_TRIGGER: StoredObject = {
  apiVersion: "triggers.tekton.dev/v1beta1",
  kind: "Trigger",
  metadata: { name: "extra", namespace: "ci", labels: { "hookline.test/listener": "yes" } },
  spec: { interceptors: [GITHUB], bindings: [{ ref: "push-binding" }], template: { ref: "build" } },
};

/** The cluster as the tests start it. The binding is written as v1alpha1 (served at v1beta1). */
function seed(fake: FakeKubeApiServer): void {
  fake.apply({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "github-secret", namespace: "ci" },
    type: "Opaque",
    data: { secretToken: Buffer.from(SECRET_VALUE).toString("base64") },
  });
  fake.apply({
    apiVersion: "triggers.tekton.dev/v1alpha1",
    kind: "TriggerBinding",
    metadata: { name: "push-binding", namespace: "ci", managedFields: [{ manager: "kubectl" }] },
    spec: { params: [{ name: "sha", value: "$(body.after)" }] },
  });
  fake.apply(template("1"));
  fake.apply(listener("served", true));
  fake.apply(listener("tekton-only", false));
}

interface Served {
  running: Running;
  outDir: string;
  logs: MemoryTransport;
}

let fake: FakeKubeApiServer;
let served: Served | undefined;

beforeAll(async () => {
  fake = await createFakeKubeApiServer({ resources: TRIGGERS_FAKE_RESOURCES });
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  if (served !== undefined) {
    await served.running.close();
    await rm(served.outDir, { recursive: true, force: true });
    served = undefined;
  }
  for (const o of fake.objects()) {
    fake.remove({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }),
    });
  }
});

/** The real `serve()` with `--config kubernetes` semantics (no directory), on port 0. */
async function start(cluster: ServeOptions["cluster"] = {}, configDir = ""): Promise<Served> {
  seed(fake);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(fake.kubeconfig());
  const outDir = await mkdtemp(join(tmpdir(), "hookline-cluster-out-"));
  const { log, logs } = createCapturingLogger();
  const running = await serve({
    configDir,
    cluster: { kubeConfig, debounceMs: 50, ...cluster },
    store: "memory",
    adminAddr: "127.0.0.1:0",
    port: 0,
    host: "127.0.0.1",
    outDir,
    secretsDir: undefined,
    maxBodyBytes: DEFAULT_MAX_BODY,
    defaultListener: undefined,
    log,
    tls: {},
  });
  served = { running, outDir, logs };
  return served;
}

async function push(
  s: Served,
  path = "/listeners/ci/served",
  secret = SECRET_VALUE,
): Promise<{ status: number; id: string }> {
  const res = await fetch(`http://127.0.0.1:${s.running.port}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": await signGithub(PUSH, secret),
    },
    body: PUSH,
  });
  const body = (await res.json()) as { eventID?: string };
  return { status: res.status, id: body.eventID ?? "" };
}

/** The labels of the resources the local sink wrote for an event, once `count` are there. */
async function resourcesOf(
  s: Served,
  eventId: string,
  count: number,
): Promise<Record<string, string>[]> {
  let found: Record<string, string>[] = [];
  await waitFor(async () => {
    found = [];
    const entries = await readdir(s.outDir, { recursive: true, withFileTypes: true });
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith(".yaml")) continue;
      const resource = parse(await readFile(join(e.parentPath, e.name), "utf8")) as {
        metadata?: { labels?: Record<string, string> };
      };
      const labels = resource.metadata?.labels ?? {};
      if (labels[EVENT_ID_LABEL] === eventId) found.push(labels);
    }
    return found.length >= count;
  }, `${count} resource(s) for event ${eventId}`);
  return found.sort((a, b) => (a[TRIGGER_LABEL] ?? "").localeCompare(b[TRIGGER_LABEL] ?? ""));
}

/** Each trigger's outcome for an event, from the admin port's event log. */
async function outcomes(s: Served, eventId: string): Promise<Record<string, string>> {
  const res = await fetch(`http://127.0.0.1:${s.running.adminPort}/api/v1/events/${eventId}`);
  const view = (await res.json()) as { triggers: { trigger: string; outcome: { kind: string } }[] };
  return Object.fromEntries(view.triggers.map((t) => [t.trigger, t.outcome.kind]));
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function logged(s: Served, message: string, count = 1): Promise<void> {
  return waitFor(
    () => s.logs.entries.filter((e) => e["message"] === message).length >= count,
    `${count}× "${message}" in the log`,
  );
}

describe("configuration from the cluster (--config kubernetes)", () => {
  it("serves the annotated listener only, and a signed push fires with the cluster's Secret", async () => {
    const s = await start();
    expect(s.running.config.listeners.map((l) => `${l.namespace}/${l.name}`)).toEqual([
      "ci/served",
    ]);
    // The listener's uid is the cluster's, as Tekton's eventListenerUID.
    const uid = fake.objects({ kind: "EventListener" })[0]?.metadata["uid"];
    expect(s.running.config.listeners[0]?.uid).toBe(uid);

    const event = await push(s);
    expect(event.status).toBe(202);
    const [labels] = await resourcesOf(s, event.id, 1);
    expect(labels?.[TRIGGER_LABEL]).toBe("github-push");
    expect(labels?.[VERSION_LABEL]).toBe("1");

    // Not annotated: left to the Tekton Triggers controller.
    expect((await push(s, "/listeners/ci/tekton-only")).status).toBe(404);
    // A wrong signature is rejected by the github interceptor.
    const forged = await push(s, "/listeners/ci/served", "not-the-secret");
    expect((await outcomes(s, forged.id))["github-push"]).toBe("rejected");

    // The Secret was read through the API, in the trigger's namespace.
    expect(
      fake.requests.some(
        (r) => r.method === "GET" && r.path === "/api/v1/namespaces/ci/secrets/github-secret",
      ),
    ).toBe(true);
    // Both watched through the API's v1beta1 (the binding was written as v1alpha1).
    expect(
      fake.requests.some(
        (r) =>
          r.path === "/apis/triggers.tekton.dev/v1beta1/triggerbindings" &&
          r.query.get("watch") === "true",
      ),
    ).toBe(true);
    expect(s.logs.text()).not.toContain(SECRET_VALUE);
    expect(s.logs.text()).not.toContain(Buffer.from(SECRET_VALUE).toString("base64"));
  });

  it("posts an EventRejected Event on the EventListener (its uid) for a bad signature", async () => {
    const s = await start();
    expect((await push(s, "/listeners/ci/served", "not-the-secret")).status).toBe(401);
    const uid = fake
      .objects({ kind: "EventListener", namespace: "ci" })
      .find((o) => o.metadata.name === "served")?.metadata["uid"];
    await waitFor(() => fake.objects({ kind: "Event", namespace: "ci" }).length > 0, "an Event");
    const [event] = fake.objects({ kind: "Event", namespace: "ci" });
    expect(event).toMatchObject({
      reason: "EventRejected",
      count: 1,
      involvedObject: { kind: "EventListener", name: "served", namespace: "ci", uid },
    });
    // The local sink's files are not in the cluster: no Created Event for them.
    await resourcesOf(s, (await push(s)).id, 1);
    expect(fake.objects({ kind: "Event" }).map((e) => e["reason"])).not.toContain("Created");
  });

  it("serves every listener with --all-listeners", async () => {
    const s = await start({ allListeners: true });
    expect(s.running.config.listeners.map((l) => l.name).sort()).toEqual(["served", "tekton-only"]);
    const event = await push(s, "/listeners/ci/tekton-only");
    expect(event.status).toBe(202);
    expect((await resourcesOf(s, event.id, 1))[0]?.[TRIGGER_LABEL]).toBe("github-push");
  });

  it("fires a Trigger added through the watch on the next event, without a restart", async () => {
    const s = await start();
    const before = await push(s);
    await resourcesOf(s, before.id, 1);
    expect(Object.keys(await outcomes(s, before.id))).toEqual(["github-push"]);

    fake.apply(EXTRA_TRIGGER);
    await logged(s, "config reloaded");
    const reloaded = s.logs.entries.find((e) => e["message"] === "config reloaded");
    expect(reloaded?.["reason"]).toBe("cluster change");

    const after = await push(s);
    const labels = await resourcesOf(s, after.id, 2);
    expect(labels.map((l) => l[TRIGGER_LABEL])).toEqual(["extra", "github-push"]);

    // Deleted through the watch: gone from the next event.
    fake.remove({
      apiVersion: EXTRA_TRIGGER.apiVersion,
      kind: "Trigger",
      name: "extra",
      namespace: "ci",
    });
    await logged(s, "config reloaded", 2);
    const third = await push(s);
    await resourcesOf(s, third.id, 1);
    expect(Object.keys(await outcomes(s, third.id))).toEqual(["github-push"]);
  });

  it("reports a broken change by resource and field, and the object's last good version keeps working", async () => {
    const s = await start();
    fake.apply(template("2", true));
    await logged(s, "config reloaded");
    const warnings = s.logs.entries
      .filter((e) => e["message"] === "config warning")
      .map((e) => String(e["issue"]));
    // The "file" is the resource; line and column are those of its JSON.
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /^TriggerTemplate ci\/build:\d+:\d+ spec\.resourcetemplates\[0\][^:]*: .*undeclared.*last good version stays in force/,
      ),
    );
    const scrape = async (): Promise<string> =>
      (await fetch(`http://127.0.0.1:${s.running.adminPort}/metrics`)).text();
    expect(await scrape()).toMatch(/hookline_config_objects_invalid 1/);

    const event = await push(s);
    expect(event.status).toBe(202);
    expect((await resourcesOf(s, event.id, 1))[0]?.[VERSION_LABEL]).toBe("1");

    // Fixed through the watch: picked up.
    fake.apply(template("3"));
    await logged(s, "config reloaded", 2);
    const fixed = await push(s);
    expect((await resourcesOf(s, fixed.id, 1))[0]?.[VERSION_LABEL]).toBe("3");

    const metrics = await scrape();
    expect(metrics).toMatch(/hookline_config_objects_invalid 0/);
    expect(metrics).toMatch(/hookline_config_reloads_total\{result="success"\} 2/);
  });

  it("starts and serves the rest when an object in the cluster is broken from the start", async () => {
    // Say, a binding only Tekton's own controller uses, written with a misspelt field.
    fake.apply({
      apiVersion: "triggers.tekton.dev/v1beta1",
      kind: "TriggerBinding",
      metadata: { name: "tekton-only-binding", namespace: "other" },
      spec: { params: [{ name: "sha", valu: "$(body.after)" }] },
    });
    const s = await start();
    const warnings = s.logs.entries
      .filter((e) => e["message"] === "config warning")
      .map((e) => String(e["issue"]));
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /^TriggerBinding other\/tekton-only-binding:\d+:\d+ spec\.params\[0\]\.valu: .*left out; the rest is served/,
      ),
    );
    const event = await push(s);
    expect(event.status).toBe(202);
    await resourcesOf(s, event.id, 1);
    const metrics = await (await fetch(`http://127.0.0.1:${s.running.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/hookline_config_objects_invalid 1/);
  });

  it("lists again after 410 Gone, and picks up what changed meanwhile", async () => {
    const s = await start();
    const lists = (): number =>
      fake.requests.filter(
        (r) =>
          r.path === "/apis/triggers.tekton.dev/v1beta1/triggertemplates" && !r.query.has("watch"),
      ).length;
    const listedBefore = lists();
    // A change no watch sees (Secrets are read, not watched), then a compaction: every watch's
    // resourceVersion is now older than the history kept.
    fake.apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "unrelated", namespace: "ci" },
      data: {},
    });
    fake.compactHistory();
    fake.endWatches();
    // A change made while the watches reconnect: their old resourceVersion is compacted away.
    fake.apply(template("4"));
    await logged(s, "config reloaded");
    const event = await push(s);
    expect((await resourcesOf(s, event.id, 1))[0]?.[VERSION_LABEL]).toBe("4");
    expect(lists()).toBeGreaterThan(listedBefore);
  });

  it("merges a config directory with the cluster", async () => {
    const s = await start({}, EXAMPLE_CONFIG);
    expect(s.running.config.listeners.map((l) => `${l.namespace}/${l.name}`).sort()).toEqual([
      "ci/served",
      "default/github-listener",
    ]);
    const event = await push(s);
    expect((await resourcesOf(s, event.id, 1))[0]?.[TRIGGER_LABEL]).toBe("github-push");
  });

  it("refuses to start when the cluster's resources cannot be read", async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(fake.kubeconfig({ token: "wrong" }));
    const { log } = createCapturingLogger();
    await expect(
      serve({
        configDir: "",
        cluster: { kubeConfig },
        store: "memory",
        adminAddr: "127.0.0.1:0",
        port: 0,
        host: "127.0.0.1",
        outDir: tmpdir(),
        secretsDir: undefined,
        maxBodyBytes: DEFAULT_MAX_BODY,
        defaultListener: undefined,
        log,
        tls: {},
      }),
    ).rejects.toThrow(/could not be read from the cluster: .*401/);
  });
});
