import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ANNOTATION_GROUP,
  ANNOTATION_MAX_KEEP_RUNS,
  ANNOTATION_MAX_RUNNING,
  ANNOTATION_STRATEGY,
  LABEL_GROUP_HASH,
  LABEL_GROUP_ORDER,
  type CancelSelector,
  type ConcurrentKind,
} from "../../src/concurrency/types.js";
import { HooklineError } from "../../src/errors/hookline-error.js";
import { createKubernetesSink } from "../../src/sinks/kubernetes/kubernetes-sink.js";
import { loadKubeConfig } from "../../src/sinks/kubernetes/load-kube-config.js";
import type { Sink } from "../../src/sinks/types.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import {
  createFakeKubeApiServer,
  type FakeKubeApiServer,
  type StoredObject,
} from "../support/fake-kube-apiserver.js";

const HASH = "0123456789abcdef0123456789abcdef01234567";
const OTHER_HASH = "fedcba9876543210fedcba9876543210fedcba98";
const NS = "ci";
const { log } = createCapturingLogger();

/** The order label of the n-th event of the group (13-digit ms, then a delivery key). */
const order = (n: number): string => `${String(1733000000000 + n).padStart(13, "0")}.e${n}.0.0`;

/** A run labelled as the planner labels one (issue 12 design), built by hand. */
function groupRun(
  name: string,
  n: number,
  opts: {
    kind?: ConcurrentKind;
    apiVersion?: string;
    specStatus?: string;
    hash?: string;
    maxRunning?: number;
    maxKeepRuns?: number;
  } = {},
): StoredObject {
  const kind = opts.kind ?? "PipelineRun";
  return {
    apiVersion: opts.apiVersion ?? "tekton.dev/v1",
    kind,
    metadata: {
      name,
      namespace: NS,
      labels: {
        [LABEL_GROUP_HASH]: opts.hash ?? HASH,
        [LABEL_GROUP_ORDER]: order(n),
        "hookline.dev/delivery-key": `e${n}.0.0`,
      },
      annotations: {
        [ANNOTATION_GROUP]: "org/repo#42",
        [ANNOTATION_STRATEGY]: "queue",
        [ANNOTATION_MAX_RUNNING]: String(opts.maxRunning ?? 1),
        ...(opts.maxKeepRuns === undefined
          ? {}
          : { [ANNOTATION_MAX_KEEP_RUNS]: String(opts.maxKeepRuns) }),
      },
    },
    spec: {
      ...(kind === "PipelineRun" ? { pipelineRef: { name: "build" } } : { taskRef: { name: "t" } }),
      ...(opts.specStatus === undefined ? {} : { status: opts.specStatus }),
    },
  };
}

function stored(fake: FakeKubeApiServer, kind: string, name: string): StoredObject {
  const found = fake.objects({ kind, namespace: NS }).find((o) => o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}

function specStatus(o: StoredObject): unknown {
  return (o["spec"] as Record<string, unknown>)["status"];
}

function succeeded(o: StoredObject): { status: unknown; reason: unknown } | undefined {
  const conditions = (o["status"] as { conditions?: Record<string, unknown>[] } | undefined)
    ?.conditions;
  const c = conditions?.find((x) => x["type"] === "Succeeded");
  return c === undefined ? undefined : { status: c["status"], reason: c["reason"] };
}

const selector = (over: Partial<CancelSelector> = {}): CancelSelector => ({
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  namespace: NS,
  groupHash: HASH,
  before: order(9),
  scope: "all",
  status: "Cancelled",
  ...over,
});

describe("Kubernetes sink: cancel and start of concurrency group runs (issue 12)", () => {
  let fake: FakeKubeApiServer;
  let dir: string;
  let sink: Sink;
  const ctx = { serviceAccountName: undefined, log };

  beforeAll(async () => {
    fake = await createFakeKubeApiServer({ tektonController: true });
    dir = await mkdtemp(join(tmpdir(), "hookline-kube-conc-"));
    sink = createKubernetesSink({
      kubeConfig: loadKubeConfig(fake.writeKubeconfig(dir)),
      requestTimeoutMs: 5_000,
    });
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const o of [...fake.objects()]) {
      fake.remove({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: NS });
    }
    fake.requests.length = 0;
    fake.intercept = undefined;
    fake.tektonController = true;
  });

  const patches = (): { path: string; contentType: string | undefined }[] =>
    fake.requests
      .filter((r) => r.method === "PATCH")
      .map((r) => ({ path: r.path, contentType: r.contentType }));

  it("cancels A's PipelineRun when B's cancel delivery runs: Cancelled, then a no-op", async () => {
    fake.apply(groupRun("run-a", 1));
    fake.apply(groupRun("run-b", 2));
    fake.apply(groupRun("other", 0, { hash: OTHER_HASH }));
    expect(succeeded(stored(fake, "PipelineRun", "run-a"))).toEqual({
      status: "Unknown",
      reason: "Running",
    });

    const cancelled = await sink.cancel(selector({ before: order(2) }), {
      ...ctx,
      serviceAccountName: "creator",
    });

    expect(cancelled).toEqual([
      {
        kind: "PipelineRun",
        namespace: NS,
        name: "run-a",
        location: "/apis/tekton.dev/v1/namespaces/ci/pipelineruns/run-a",
      },
    ]);
    const a = stored(fake, "PipelineRun", "run-a");
    expect(specStatus(a)).toBe("Cancelled");
    expect(succeeded(a)).toEqual({ status: "False", reason: "Cancelled" });
    expect(specStatus(stored(fake, "PipelineRun", "run-b"))).toBeUndefined();
    expect(specStatus(stored(fake, "PipelineRun", "other"))).toBeUndefined();
    expect(patches()).toEqual([
      {
        path: "/apis/tekton.dev/v1/namespaces/ci/pipelineruns/run-a",
        contentType: "application/merge-patch+json",
      },
    ]);
    // As the trigger's service account, as a create is.
    const list = fake.requests.find((r) => r.method === "GET" && r.query.has("labelSelector"));
    expect(list?.query.get("labelSelector")).toBe(`${LABEL_GROUP_HASH}=${HASH}`);
    expect(list?.impersonateUser).toBe("system:serviceaccount:ci:creator");
    expect(fake.requests.filter((r) => r.method === "PATCH")[0]?.impersonateUser).toBe(
      "system:serviceaccount:ci:creator",
    );

    // A retry of the same delivery: A is done now, nothing is patched again.
    fake.requests.length = 0;
    expect(await sink.cancel(selector({ before: order(2) }), ctx)).toEqual([]);
    expect(patches()).toEqual([]);
  });

  it("leaves a done run alone; a cancel still in progress is not patched again", async () => {
    fake.apply(groupRun("done", 1));
    fake.setRunStatus(NS, "PipelineRun", "done", { succeeded: "True", reason: "Succeeded" });
    fake.tektonController = false;
    fake.apply(groupRun("cancelling", 2, { specStatus: "Cancelled" }));
    fake.apply(groupRun("running", 3));
    fake.requests.length = 0;

    const cancelled = await sink.cancel(selector(), ctx);

    expect(cancelled.map((r) => r.name)).toEqual(["running"]);
    expect(patches().map((p) => p.path)).toEqual([
      "/apis/tekton.dev/v1/namespaces/ci/pipelineruns/running",
    ]);
    expect(specStatus(stored(fake, "PipelineRun", "done"))).toBeUndefined();
  });

  it("gracefully: CancelledRunFinally for a running PipelineRun, Cancelled for a pending one", async () => {
    fake.apply(groupRun("running", 1));
    fake.apply(groupRun("pending", 2, { specStatus: "PipelineRunPending" }));
    expect(succeeded(stored(fake, "PipelineRun", "pending"))).toEqual({
      status: "Unknown",
      reason: "PipelineRunPending",
    });

    const cancelled = await sink.cancel(selector({ status: "CancelledRunFinally" }), ctx);

    expect(cancelled.map((r) => r.name)).toEqual(["running", "pending"]);
    expect(specStatus(stored(fake, "PipelineRun", "running"))).toBe("CancelledRunFinally");
    expect(specStatus(stored(fake, "PipelineRun", "pending"))).toBe("Cancelled");
  });

  it("a TaskRun (v1beta1) gets TaskRunCancelled at its own apiVersion", async () => {
    fake.apply(groupRun("task-a", 1, { kind: "TaskRun", apiVersion: "tekton.dev/v1beta1" }));

    const cancelled = await sink.cancel(
      selector({ kind: "TaskRun", apiVersion: "tekton.dev/v1beta1", status: "TaskRunCancelled" }),
      ctx,
    );

    expect(cancelled).toEqual([
      {
        kind: "TaskRun",
        namespace: NS,
        name: "task-a",
        location: "/apis/tekton.dev/v1beta1/namespaces/ci/taskruns/task-a",
      },
    ]);
    const a = stored(fake, "TaskRun", "task-a");
    expect(specStatus(a)).toBe("TaskRunCancelled");
    expect(succeeded(a)).toEqual({ status: "False", reason: "TaskRunCancelled" });
  });

  it("scope pending (queue-latest) cancels only the pending runs", async () => {
    fake.apply(groupRun("running", 1));
    fake.apply(groupRun("pending", 2, { specStatus: "PipelineRunPending" }));
    fake.apply(groupRun("newest", 3, { specStatus: "PipelineRunPending" }));

    const cancelled = await sink.cancel(selector({ scope: "pending", before: order(3) }), ctx);

    expect(cancelled.map((r) => r.name)).toEqual(["pending"]);
    expect(specStatus(stored(fake, "PipelineRun", "running"))).toBeUndefined();
    expect(specStatus(stored(fake, "PipelineRun", "newest"))).toBe("PipelineRunPending");
    expect(succeeded(stored(fake, "PipelineRun", "pending"))).toEqual({
      status: "False",
      reason: "Cancelled",
    });
  });

  it("a run that finishes between the list and the patch is not cancelled (409, read again)", async () => {
    fake.apply(groupRun("racing", 1));
    let raced = false;
    fake.intercept = (r) => {
      if (r.method === "PATCH" && !raced) {
        raced = true;
        fake.setRunStatus(NS, "PipelineRun", "racing", { succeeded: "True", reason: "Succeeded" });
      }
      return undefined;
    };

    expect(await sink.cancel(selector(), ctx)).toEqual([]);
    expect(raced).toBe(true);
    expect(specStatus(stored(fake, "PipelineRun", "racing"))).toBeUndefined();
    expect(succeeded(stored(fake, "PipelineRun", "racing"))?.status).toBe("True");
  });

  it("start clears Pending; a second start, or one of a run cancelled meanwhile, patches nothing", async () => {
    fake.apply(groupRun("queued", 1, { specStatus: "PipelineRunPending" }));
    const target = {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun" as const,
      namespace: NS,
      name: "queued",
    };

    const started = await sink.start(target, { ...ctx, serviceAccountName: "creator" });

    expect(started).toEqual({
      kind: "PipelineRun",
      namespace: NS,
      name: "queued",
      location: "/apis/tekton.dev/v1/namespaces/ci/pipelineruns/queued",
    });
    const run = stored(fake, "PipelineRun", "queued");
    expect("status" in (run["spec"] as object)).toBe(false);
    expect(succeeded(run)).toEqual({ status: "Unknown", reason: "Running" });
    expect(fake.requests.find((r) => r.method === "PATCH")?.impersonateUser).toBe(
      "system:serviceaccount:ci:creator",
    );

    fake.requests.length = 0;
    await sink.start(target, ctx);
    expect(patches()).toEqual([]);

    fake.apply(groupRun("cancelled", 2, { specStatus: "Cancelled" }));
    fake.requests.length = 0;
    await sink.start({ ...target, name: "cancelled" }, ctx);
    expect(patches()).toEqual([]);
    expect(specStatus(stored(fake, "PipelineRun", "cancelled"))).toBe("Cancelled");
  });

  it("a run cancelled between the read and the start stays cancelled (409, read again)", async () => {
    fake.apply(groupRun("queued", 1, { specStatus: "PipelineRunPending" }));
    let raced = false;
    fake.intercept = (r) => {
      if (r.method === "PATCH" && !raced) {
        raced = true;
        const run = stored(fake, "PipelineRun", "queued");
        fake.apply({ ...run, spec: { ...(run["spec"] as object), status: "Cancelled" } });
      }
      return undefined;
    };

    await sink.start(
      { apiVersion: "tekton.dev/v1", kind: "PipelineRun", namespace: NS, name: "queued" },
      ctx,
    );

    expect(raced).toBe(true);
    const run = stored(fake, "PipelineRun", "queued");
    expect(specStatus(run)).toBe("Cancelled");
    expect(succeeded(run)).toEqual({ status: "False", reason: "Cancelled" });
  });

  it("start of a run that is gone is a permanent failure", async () => {
    const err = await sink
      .start({ apiVersion: "tekton.dev/v1", kind: "PipelineRun", namespace: NS, name: "gone" }, ctx)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect((err as HooklineError).code).toBe("HL_SINK_WRITE_FAILED");
    expect((err as HooklineError).details).toMatchObject({ retryable: false, status: 404 });
  });

  it.each([
    { name: "403 Forbidden is permanent", code: 403, reason: "Forbidden", retryable: false },
    { name: "503 is retried", code: 503, reason: "ServiceUnavailable", retryable: true },
    { name: "429 is retried", code: 429, reason: "TooManyRequests", retryable: true },
  ])("a cancel's list answered $code: $name", async ({ code, reason, retryable }) => {
    fake.apply(groupRun("run-a", 1));
    fake.intercept = (r) =>
      r.method === "GET" && r.query.has("labelSelector")
        ? { kind: "status", code, reason, message: "no" }
        : undefined;
    const err = await sink.cancel(selector(), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect((err as HooklineError).details).toMatchObject({ retryable, status: code });
    expect(specStatus(stored(fake, "PipelineRun", "run-a"))).toBeUndefined();
  });
});
