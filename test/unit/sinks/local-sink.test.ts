import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { createLocalSink } from "../../../src/sinks/local/local-sink.js";
import { createLogger } from "../../../src/log/logger.js";
import type { RenderedResource } from "../../../src/templates/types.js";

const ctx = { serviceAccountName: undefined, log: createLogger({ silent: true }) };

function resource(
  meta: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): RenderedResource {
  const labels = (meta["labels"] as Record<string, string> | undefined) ?? {};
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    namespace: (meta["namespace"] as string | undefined) ?? "ci",
    name: meta["name"] as string | undefined,
    generateName: meta["generateName"] as string | undefined,
    body: {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: { ...meta, labels },
      ...extra,
    },
  };
}

describe("the local sink", () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), "hookline-sink-"));
  });
  afterEach(async () => rm(out, { recursive: true, force: true }));

  it("writes OUT/<namespace>/<Kind>/<name>.yaml with the name chosen for generateName", async () => {
    const sink = createLocalSink({ outDir: out });
    const created = await sink.create(
      resource(
        { generateName: "build-", labels: { "hookline.dev/delivery-key": "e.0.0" } },
        { spec: { a: "b" } },
      ),
      ctx,
    );
    expect(created.name).toMatch(/^build-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(created.location).toBe(join(out, "ci", "PipelineRun", `${created.name}.yaml`));
    const written = parse(await readFile(created.location, "utf8")) as {
      metadata: { name: string; generateName: string };
      spec: unknown;
    };
    expect(written.metadata).toMatchObject({ name: created.name, generateName: "build-" });
    expect(written.spec).toEqual({ a: "b" });
    // No temporary file is left behind.
    expect(await readdir(join(out, "ci", "PipelineRun"))).toEqual([`${created.name}.yaml`]);
  });

  it("is idempotent by delivery key: a retried create finds its own file and makes no copy", async () => {
    const sink = createLocalSink({ outDir: out });
    const r = resource({
      generateName: "build-",
      labels: { "hookline.dev/delivery-key": "ev1.0.0" },
    });
    const first = await sink.create(r, ctx);
    const second = await createLocalSink({ outDir: out }).create(r, ctx);
    expect(second.name).toBe(first.name);
    expect(await readdir(join(out, "ci", "PipelineRun"))).toHaveLength(1);
    const named = resource({ name: "fixed", labels: { "hookline.dev/delivery-key": "ev2.0.0" } });
    await sink.create(named, ctx);
    await expect(sink.create(named, ctx)).resolves.toMatchObject({ name: "fixed" });
  });

  it("never overwrites another resource's file", async () => {
    const sink = createLocalSink({ outDir: out });
    await sink.create(
      resource({ name: "fixed", labels: { "hookline.dev/delivery-key": "a.0.0" } }),
      ctx,
    );
    const clash = sink.create(
      resource({ name: "fixed", labels: { "hookline.dev/delivery-key": "b.0.0" } }),
      ctx,
    );
    await expect(clash).rejects.toMatchObject({
      code: "HL_SINK_ALREADY_EXISTS",
      details: { retryable: false },
    });
    const kept = parse(await readFile(join(out, "ci", "PipelineRun", "fixed.yaml"), "utf8")) as {
      metadata: { labels: Record<string, string> };
    };
    expect(kept.metadata.labels["hookline.dev/delivery-key"]).toBe("a.0.0");
  });

  it.each(["deploy-x.start", "deploy-x.cancel", "deploy-x.status", "deploy-x.patch"])(
    "refuses a run named %s: its file would be another run's side file",
    async (name) => {
      const sink = createLocalSink({ outDir: out });
      await expect(sink.create(resource({ name }), ctx)).rejects.toMatchObject({
        code: "HL_SINK_WRITE_FAILED",
        details: { retryable: false },
      });
      await expect(readdir(join(out, "ci", "PipelineRun"))).rejects.toThrow();
    },
  );

  it("picks another name when a generated one is taken by someone else", async () => {
    const sink = createLocalSink({ outDir: out });
    const r = resource({
      generateName: "build-",
      labels: { "hookline.dev/delivery-key": "k.0.0" },
    });
    const first = await sink.create(r, ctx);
    await rm(first.location);
    await mkdir(join(out, "ci", "PipelineRun"), { recursive: true });
    await writeFile(first.location, "metadata: {labels: {hookline.dev/delivery-key: other}}\n");
    const again = await sink.create(r, ctx);
    expect(again.name).not.toBe(first.name);
  });

  it.each([
    { name: "a name that climbs out", meta: { name: "../../etc/passwd" } },
    { name: "a namespace that climbs out", meta: { name: "x", namespace: "../x" } },
    { name: "upper case", meta: { name: "Build" } },
    { name: "no name at all", meta: {} },
  ])("refuses $name as a permanent failure, writing nothing", async ({ meta }) => {
    const sink = createLocalSink({ outDir: out });
    const err = await sink.create(resource(meta), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect((err as HooklineError).details["retryable"]).toBe(false);
    expect(await readdir(out)).toEqual([]);
  });
});
