import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { createLogger } from "../../../src/log/logger.js";
import { createLocalSink } from "../../../src/sinks/local/local-sink.js";
import type { RenderedPatch } from "../../../src/templates/types.js";

const log = createLogger({ silent: true });
const ctx = (deliveryKey: string) => ({ serviceAccountName: undefined, log, deliveryKey });

const REFRESH: RenderedPatch = {
  target: {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    namespace: "argocd",
    name: "web",
  },
  type: "merge",
  patch: { metadata: { annotations: { "argocd.argoproj.io/refresh": "normal" } } },
};

describe("local sink: patches", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hookline-patch-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes OUT/<namespace>/<Kind>/<name>.<deliveryKey>.patch.yaml with the target and the patch", async () => {
    const sink = createLocalSink({ outDir: dir });
    const patched = await sink.patch(REFRESH, ctx("ev-1.0.1"));
    const path = join(dir, "argocd", "Application", "web.ev-1.0.1.patch.yaml");
    expect(patched).toEqual({ ...REFRESH.target, location: path });
    expect(parse(await readFile(path, "utf8"))).toEqual({
      apiVersion: "hookline.dev/v1alpha1",
      kind: "Patch",
      metadata: { labels: { "hookline.dev/delivery-key": "ev-1.0.1" } },
      spec: { target: REFRESH.target, type: "merge", patch: REFRESH.patch },
    });
  });

  it("a retry finds its own file; another event's patch of the same target is a file of its own", async () => {
    const sink = createLocalSink({ outDir: dir });
    await sink.patch(REFRESH, ctx("ev-1.0.1"));
    await sink.patch(REFRESH, ctx("ev-1.0.1"));
    await sink.patch(REFRESH, ctx("ev-2.0.1"));
    const files = (await readdir(join(dir, "argocd", "Application"))).sort();
    expect(files).toEqual(["web.ev-1.0.1.patch.yaml", "web.ev-2.0.1.patch.yaml"]);
  });

  it("refuses a target name that could climb out of the output directory (permanent)", async () => {
    const sink = createLocalSink({ outDir: dir });
    const bad = { ...REFRESH, target: { ...REFRESH.target, name: "../../etc" } };
    const err = await sink.patch(bad, ctx("ev-1.0.1")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect((err as HooklineError).details["retryable"]).toBe(false);
    expect((err as HooklineError).message).toContain('target.name "../../etc"');
  });
});
