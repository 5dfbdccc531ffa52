import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ANNOTATION_MAX_KEEP_RUNS,
  ANNOTATION_MAX_RUNNING,
  LABEL_GROUP_HASH,
  LABEL_GROUP_ORDER,
  type GroupAddress,
} from "../../src/concurrency/types.js";
import { createKubeGroupRunStore } from "../../src/sinks/kubernetes/kube-group-run-store.js";
import { loadKubeConfig } from "../../src/sinks/kubernetes/load-kube-config.js";
import type { GroupRunStore } from "../../src/concurrency/types.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import {
  createFakeKubeApiServer,
  type FakeKubeApiServer,
  type StoredObject,
} from "../support/fake-kube-apiserver.js";

const HASH = "0123456789abcdef0123456789abcdef01234567";
const OTHER = "fedcba9876543210fedcba9876543210fedcba98";
const NS = "ci";
const order = (n: number): string => `${String(1733000000000 + n)}.e${n}.0.0`;

function groupRun(
  name: string,
  n: number,
  opts: { hash?: string; kind?: "PipelineRun" | "TaskRun"; ns?: string; specStatus?: string } = {},
): StoredObject {
  return {
    apiVersion: "tekton.dev/v1",
    kind: opts.kind ?? "PipelineRun",
    metadata: {
      name,
      namespace: opts.ns ?? NS,
      labels: { [LABEL_GROUP_HASH]: opts.hash ?? HASH, [LABEL_GROUP_ORDER]: order(n) },
      annotations: { [ANNOTATION_MAX_RUNNING]: "2", [ANNOTATION_MAX_KEEP_RUNS]: "1" },
    },
    spec: opts.specStatus === undefined ? {} : { status: opts.specStatus },
  };
}

const address = (over: Partial<GroupAddress> = {}): GroupAddress => ({
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  namespace: NS,
  groupHash: HASH,
  ...over,
});

describe("Kubernetes GroupRunStore (issue 12)", () => {
  let fake: FakeKubeApiServer;
  let dir: string;
  let store: GroupRunStore;
  let stops: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    fake = await createFakeKubeApiServer();
    dir = await mkdtemp(join(tmpdir(), "hookline-kube-store-"));
    store = createKubeGroupRunStore({
      kubeConfig: loadKubeConfig(fake.writeKubeconfig(dir)),
      namespaces: [NS, "deploy"],
      log: createCapturingLogger().log,
      requestTimeoutMs: 5_000,
      retryMs: 20,
    });
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const o of [...fake.objects()]) {
      fake.remove({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }),
      });
    }
    fake.tektonController = false;
  });
  afterEach(async () => {
    await Promise.all(stops.map((s) => s.stop()));
    stops = [];
    // The fake sees the aborted watches close a moment later; the next test counts its own.
    await vi.waitFor(() => expect(fake.openWatches).toBe(0), { timeout: 10_000 });
  });

  it("lists a group's runs in order with their phases and policy", async () => {
    fake.apply(groupRun("c", 3, { specStatus: "PipelineRunPending" }));
    fake.apply(groupRun("a", 1));
    fake.apply(groupRun("b", 2, { specStatus: "Cancelled" }));
    fake.apply(groupRun("d", 0));
    fake.setRunStatus(NS, "PipelineRun", "d", { succeeded: "False", reason: "Failed" });
    fake.apply(groupRun("x", 4, { hash: OTHER }));

    const runs = await store.list(address());

    expect(runs.map((r) => [r.name, r.phase])).toEqual([
      ["d", "done"],
      ["a", "running"],
      ["b", "cancelling"],
      ["c", "pending"],
    ]);
    expect(runs[1]).toMatchObject({
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      namespace: NS,
      order: order(1),
      maxRunning: 2,
      maxKeepRuns: 1,
    });
    expect(runs[0]?.finishedAt).toBeInstanceOf(Date);
  });

  it("deletes a finished run (max-keep-runs); one already gone is no error", async () => {
    fake.apply(groupRun("old", 1));
    const [run] = await store.list(address());
    if (run === undefined) throw new Error("no run");

    await store.delete(run);
    await store.delete(run);

    expect(fake.objects({ kind: "PipelineRun" })).toEqual([]);
    const deletes = fake.requests.filter((r) => r.method === "DELETE");
    expect(deletes.map((r) => r.path)).toEqual([
      "/apis/tekton.dev/v1/namespaces/ci/pipelineruns/old",
      "/apis/tekton.dev/v1/namespaces/ci/pipelineruns/old",
    ]);
    expect(deletes[0]?.query.get("propagationPolicy")).toBe("Background");
  });

  it("watch: reports the groups it lists, then ADDED, a phase change and DELETED", async () => {
    fake.apply(groupRun("before", 1, { hash: OTHER }));
    const seen: GroupAddress[] = [];
    stops.push(store.watch((g) => seen.push(g)));
    await vi.waitFor(() => expect(fake.openWatches).toBe(4), { timeout: 10_000 });
    expect(seen).toEqual([address({ groupHash: OTHER })]);
    seen.length = 0;

    fake.apply(groupRun("a", 2));
    fake.apply(groupRun("t", 3, { kind: "TaskRun", ns: "deploy" }));
    // A status write that changes no phase (a step finished) is not reported…
    fake.setRunStatus(NS, "PipelineRun", "a", { succeeded: "Unknown", reason: "Running" });
    // …one that does is.
    fake.setRunStatus(NS, "PipelineRun", "a", { succeeded: "True", reason: "Succeeded" });
    fake.remove({ apiVersion: "tekton.dev/v1", kind: "PipelineRun", name: "a", namespace: NS });
    fake.apply({ ...groupRun("unlabelled", 4), metadata: { name: "unlabelled", namespace: NS } });

    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(4), { timeout: 10_000 });
    const pipelineRunEvents = seen.filter((g) => g.kind === "PipelineRun");
    expect(pipelineRunEvents).toEqual([address(), address(), address()]); // ADDED, done, DELETED
    expect(seen.filter((g) => g.kind === "TaskRun")).toEqual([
      address({ kind: "TaskRun", namespace: "deploy" }),
    ]);
    const watch = fake.requests.find((r) => r.query.get("watch") === "true");
    expect(watch?.query.get("labelSelector")).toBe(LABEL_GROUP_HASH);
    expect(watch?.query.get("resourceVersion")).toMatch(/^\d+$/);
  });

  it("watch survives the stream closing and an outage: lists again and reports every known group", async () => {
    const seen: GroupAddress[] = [];
    stops.push(store.watch((g) => seen.push(g)));
    await vi.waitFor(() => expect(fake.openWatches).toBe(4), { timeout: 10_000 });
    fake.apply(groupRun("a", 1));
    await vi.waitFor(() => expect(seen).toEqual([address()]), { timeout: 10_000 });

    // The API server ends the watch (its timeout): the store lists again and reports the group.
    const before = fake.requests.length;
    fake.endWatches();
    await vi.waitFor(() => expect(fake.openWatches).toBe(4), { timeout: 10_000 });
    expect(seen).toEqual([address(), address()]);
    const relists = fake.requests
      .slice(before)
      .filter((r) => r.method === "GET" && r.query.get("watch") === null);
    expect(relists.length).toBeGreaterThanOrEqual(1);

    // An outage: the run is deleted while the store cannot see it; afterwards its group is still
    // reported (the scheduler frees the slot), and new events arrive again.
    await fake.stop();
    fake.remove({ apiVersion: "tekton.dev/v1", kind: "PipelineRun", name: "a", namespace: NS });
    seen.length = 0;
    await fake.start();
    await vi.waitFor(() => expect(fake.openWatches).toBe(4), { timeout: 10_000 });
    expect(seen).toContainEqual(address());
    seen.length = 0;
    fake.apply(groupRun("b", 2));
    await vi.waitFor(() => expect(seen).toEqual([address()]), { timeout: 10_000 });
  });

  it("watch after 410 Gone (history compacted) lists again", async () => {
    const seen: GroupAddress[] = [];
    stops.push(store.watch((g) => seen.push(g)));
    await vi.waitFor(() => expect(fake.openWatches).toBe(4), { timeout: 10_000 });
    fake.compactHistory();
    fake.apply(groupRun("a", 1));
    fake.compactHistory();
    fake.endWatches();
    await vi.waitFor(() => expect(seen).toContainEqual(address()), { timeout: 10_000 });
  });
});
