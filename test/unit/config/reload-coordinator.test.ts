import { describe, expect, it } from "vitest";
import type { CompiledConfig } from "../../../src/config/compiled.js";
import { documentError, warning } from "../../../src/config/issues.js";
import { createReloadCoordinator } from "../../../src/config/reload-coordinator.js";
import { createCapturingLogger } from "../../support/capture-logs.js";

const loc = { file: "config/x.yaml", line: 3, column: 5, field: "spec.x" };

function config(name: string, issues: CompiledConfig["issues"] = []): CompiledConfig {
  return { listeners: [], secrets: new Map(), issues, counts: { name: name.length } };
}

function setUp(loads: (() => Promise<CompiledConfig>)[]) {
  const { log, logs } = createCapturingLogger();
  const applied: CompiledConfig[] = [];
  const counted: boolean[] = [];
  let calls = 0;
  const coordinator = createReloadCoordinator({
    load: () => {
      const next = loads[calls++];
      if (next === undefined) throw new Error("no more loads");
      return next();
    },
    apply: (c) => applied.push(c),
    log,
    metrics: { configReloaded: (ok) => counted.push(ok) },
  });
  return { coordinator, applied, counted, logs, calls: () => calls };
}

describe("createReloadCoordinator", () => {
  it("applies a config without document errors and logs its warnings", async () => {
    const good = config("good", [warning(loc, "looks odd")]);
    const t = setUp([() => Promise.resolve(good)]);
    expect(await t.coordinator.reload("SIGHUP")).toBe(true);
    expect(t.applied).toEqual([good]);
    expect(t.counted).toEqual([true]);
    expect(t.logs.entries.map((e) => e["message"])).toEqual(["config warning", "config reloaded"]);
  });

  it("keeps the last good config when the new one has a document error, naming the place", async () => {
    const t = setUp([() => Promise.resolve(config("bad", [documentError(loc, "unknown field")]))]);
    expect(await t.coordinator.reload("file change")).toBe(false);
    expect(t.applied).toEqual([]);
    expect(t.counted).toEqual([false]);
    expect(t.logs.entries[0]?.["issue"]).toBe("config/x.yaml:3:5 spec.x: unknown field");
  });

  it("counts a load that throws as a failure and applies nothing", async () => {
    const t = setUp([() => Promise.reject(new Error("EACCES"))]);
    expect(await t.coordinator.reload("cluster change")).toBe(false);
    expect(t.applied).toEqual([]);
    expect(t.counted).toEqual([false]);
  });

  it("never overlaps reloads: calls during one queue a single more, which reads the newest state", async () => {
    let release: () => void = () => undefined;
    const first = new Promise<CompiledConfig>((resolve) => {
      release = () => resolve(config("first"));
    });
    const t = setUp([() => first, () => Promise.resolve(config("second"))]);
    const a = t.coordinator.reload("a");
    await new Promise((resolve) => setImmediate(resolve)); // the first reload is loading now
    const b = t.coordinator.reload("b");
    const c = t.coordinator.reload("c");
    expect(b).toBe(c); // calls while one is queued share it
    expect(b).not.toBe(a);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.calls()).toBe(1); // the queued one waits for the first to finish // the second has not started while the first runs
    release();
    expect(await Promise.all([a, b, c])).toEqual([true, true, true]);
    expect(t.calls()).toBe(2);
    expect(t.applied.map((x) => x.counts["name"])).toEqual([5, 6]);
  });

  it("applies nothing once closed, even for a reload in flight", async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<CompiledConfig>((resolve) => {
      release = () => resolve(config("late"));
    });
    const t = setUp([() => slow]);
    const inFlight = t.coordinator.reload("a");
    t.coordinator.close();
    release();
    expect(await inFlight).toBe(false);
    expect(await t.coordinator.reload("b")).toBe(false);
    expect(t.applied).toEqual([]);
  });
});
