import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ANNOTATION_GROUP,
  ANNOTATION_MAX_KEEP_RUNS,
  ANNOTATION_MAX_RUNNING,
  LABEL_GROUP_HASH,
  LABEL_GROUP_ORDER,
  type GroupAddress,
} from "../../../src/concurrency/types.js";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { createLogger } from "../../../src/log/logger.js";
import {
  createLocalGroupRunStore,
  type LocalGroupRunStore,
} from "../../../src/sinks/local/local-group-runs.js";
import { createLocalSink } from "../../../src/sinks/local/local-sink.js";
import type { Sink } from "../../../src/sinks/types.js";
import type { RenderedResource } from "../../../src/templates/types.js";

const ctx = { serviceAccountName: undefined, log: createLogger({ silent: true }) };
const HASH = "0123456789abcdef0123456789abcdef01234567";
const GROUP: GroupAddress = {
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  namespace: "ci",
  groupHash: HASH,
};
const order = (n: number): string => `${String(n).padStart(13, "0")}.ev${n}.0.0`;

function run(name: string, n: number, pending: boolean): RenderedResource {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    namespace: "ci",
    name,
    generateName: undefined,
    body: {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name,
        namespace: "ci",
        labels: { [LABEL_GROUP_HASH]: HASH, [LABEL_GROUP_ORDER]: order(n) },
        annotations: {
          [ANNOTATION_GROUP]: "org/repo#1",
          [ANNOTATION_MAX_RUNNING]: "2",
          [ANNOTATION_MAX_KEEP_RUNS]: "3",
        },
      },
      spec: pending ? { status: "PipelineRunPending" } : {},
    },
  };
}

describe("the local sink's concurrency groups", () => {
  let out: string;
  let store: LocalGroupRunStore;
  let sink: Sink;
  let seen: GroupAddress[];
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), "hookline-groups-"));
    store = createLocalGroupRunStore({ outDir: out });
    sink = createLocalSink({ outDir: out, groupRuns: store });
    seen = [];
    store.watch((g) => seen.push(g));
    await new Promise((resolve) => setImmediate(resolve)); // the watch's first look: empty
  });
  afterEach(async () => rm(out, { recursive: true, force: true }));

  const phases = async () =>
    Object.fromEntries((await store.list(GROUP)).map((r) => [r.name, r.phase]));

  it("reads runs and phases from the files; cancel and start write the cluster's patches", async () => {
    await sink.create(run("a", 1, false), ctx);
    await sink.create(run("b", 2, true), ctx);
    await sink.create(run("c", 3, true), ctx);
    expect(seen).toEqual([GROUP, GROUP, GROUP]);
    await expect(phases()).resolves.toEqual({ a: "running", b: "pending", c: "pending" });
    const [b] = (await store.list(GROUP)).filter((r) => r.name === "b");
    expect(b).toMatchObject({
      order: order(2),
      maxRunning: 2,
      maxKeepRuns: 3,
      group: "org/repo#1",
    });

    // queue-latest's cancel: pending runs ordered before c.
    const selector = {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun" as const,
      namespace: "ci",
      groupHash: HASH,
      before: order(3),
      scope: "pending" as const,
      status: "Cancelled" as const,
    };
    const cancelled = await sink.cancel(selector, ctx);
    expect(cancelled.map((c) => c.name)).toEqual(["b"]);
    expect(parse(await readFile(join(out, "ci/PipelineRun/b.cancel.yaml"), "utf8"))).toEqual({
      spec: { status: "Cancelled" },
    });
    await expect(sink.cancel(selector, ctx)).resolves.toEqual([]);
    await expect(phases()).resolves.toEqual({ a: "running", b: "done", c: "pending" });

    const target = { apiVersion: "tekton.dev/v1", kind: "PipelineRun" as const, namespace: "ci" };
    await expect(sink.start({ ...target, name: "c" }, ctx)).resolves.toMatchObject({
      name: "c",
      location: join(out, "ci/PipelineRun/c.start.yaml"),
    });
    expect(parse(await readFile(join(out, "ci/PipelineRun/c.start.yaml"), "utf8"))).toEqual({
      spec: { status: null },
    });
    await expect(phases()).resolves.toEqual({ a: "running", b: "done", c: "running" });
    // Again: left alone (idempotent).
    await expect(sink.start({ ...target, name: "c" }, ctx)).resolves.toMatchObject({ name: "c" });
    await expect(sink.start({ ...target, name: "nope" }, ctx)).rejects.toMatchObject({
      code: "HL_SINK_WRITE_FAILED",
      details: { retryable: false },
    });

    // cancel-in-progress: running ones too.
    await expect(
      sink.cancel(
        { ...selector, before: order(9), scope: "all", status: "CancelledRunFinally" },
        ctx,
      ),
    ).resolves.toHaveLength(2);
    await expect(phases()).resolves.toEqual({ a: "done", b: "done", c: "done" });
  });

  it("finish writes a Succeeded condition and announces it; delete removes the run's files", async () => {
    await sink.create(run("a", 1, false), ctx);
    seen.length = 0;
    const finished = store.finish({ namespace: "ci", kind: "PipelineRun", name: "a" }, "Failed");
    expect(finished).toMatchObject({ name: "a", already: false });
    expect(seen).toEqual([GROUP]);
    const status = parse(await readFile(join(out, "ci/PipelineRun/a.status.yaml"), "utf8")) as {
      status: { conditions: { type: string; status: string; reason: string }[] };
    };
    expect(status.status.conditions[0]).toMatchObject({
      type: "Succeeded",
      status: "False",
      reason: "Failed",
    });
    const [a] = await store.list(GROUP);
    expect(a?.phase).toBe("done");
    expect(a?.finishedAt).toBeInstanceOf(Date);
    expect(
      store.finish({ namespace: "ci", kind: "PipelineRun", name: "a" }, "Succeeded").already,
    ).toBe(true);
    expect(() =>
      store.finish({ namespace: "ci", kind: "PipelineRun", name: "zz" }, "Failed"),
    ).toThrow(HooklineError);
    expect(() =>
      store.finish({ namespace: "../x", kind: "PipelineRun", name: "a" }, "Failed"),
    ).toThrow(/not a valid namespace/);

    await store.delete(a!);
    expect(await readdir(join(out, "ci/PipelineRun"))).toEqual([]);
    await expect(store.list(GROUP)).resolves.toEqual([]);
  });

  it("a watcher that starts is told of every group already in the directory", async () => {
    await sink.create(run("a", 1, true), ctx);
    const later: GroupAddress[] = [];
    const w = createLocalGroupRunStore({ outDir: out }).watch((g) => later.push(g));
    await new Promise((resolve) => setImmediate(resolve));
    expect(later).toEqual([GROUP]);
    await w.stop();
  });
});
