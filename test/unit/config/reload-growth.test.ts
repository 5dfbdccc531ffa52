import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate as nextMacrotask } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateExpression } from "../../../src/bindings/index.js";
import type { FilterSpec, PathStep } from "../../../src/bindings/types.js";
import type { CompiledConfig } from "../../../src/config/compiled.js";
import { formatIssue, loadConfigDir } from "../../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { findModuleLevelState } from "../../support/module-level-state.js";
import { writeConfigDir } from "../../support/test-app.js";

/*
 * Reloading a config must not leave anything behind in module-level state (issue 9 item 8: a
 * filter registry once grew with every reload). Two guards: every compiled config and every
 * compiled filter of a load is garbage once nothing holds that load — which fails for any global
 * registry, map or cache that keeps them, whatever it is called — and no module of the bindings,
 * templates or config stages declares a mutable container at module level.
 */

const push: unknown = JSON.parse(
  readFileSync(new URL("../../fixtures/github/push.json", import.meta.url), "utf8"),
);
const event = {
  body: push,
  header: { "X-Github-Event": "push" },
  extensions: {},
  context: { eventID: "e" },
};

/** The config of load `i`: the same listener, with a filter whose literal changes with `i`. */
const configText = (i: number): string => `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: el }
spec:
  triggers:
    - name: push
      bindings: [{ ref: push }]
      template: { ref: tt }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: { name: push }
spec:
  params:
    - { name: distinct, value: "$(body.commits[?(@.distinct == true)].id)" }
    - { name: emails, value: "$(body..email)" }
    - { name: varying, value: "$(body.commits[?(@.message != 'reload ${i}')].message)" }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt }
spec:
  params: [{ name: distinct }, { name: emails }, { name: varying }]
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata: { name: "run-$(tt.params.distinct)" }
`;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function bindingsOf(config: CompiledConfig) {
  const plan = config.listeners[0]?.triggers[0]?.plan;
  if (plan?.kind !== "plan") throw new Error(`no plan: ${config.issues.map(formatIssue).join()}`);
  return plan.bindings;
}

/** Every binding param evaluated on the push, and the config's issues: what a load gives. */
function results(config: CompiledConfig): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const b of bindingsOf(config)) {
    params[b.name] = b.value.parts.map((p) =>
      p.kind === "text" ? p.text : evaluateExpression(p.expression, event),
    );
  }
  return { params, issues: config.issues.map(formatIssue) };
}

function filtersOf(config: CompiledConfig): FilterSpec[] {
  const out: FilterSpec[] = [];
  const walk = (steps: readonly PathStep[]): void => {
    for (const step of steps) {
      if (step.kind === "filter") out.push(step.filter);
      if (step.kind === "union") step.branches.forEach(walk);
    }
  };
  for (const b of bindingsOf(config))
    for (const p of b.value.parts) if (p.kind === "expression") walk(p.expression.steps);
  return out;
}

/** A full garbage collection, after the current job (WeakRef targets live until it ends). */
async function collectGarbage(): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < 3; i++) {
    await nextMacrotask();
    gc();
  }
}

const RELOADS = 200;

/**
 * Loads `dir` `n` times, checking each load's results, and returns weak references to what each
 * load compiled. A function of its own, so that no local of the caller keeps the last load alive.
 */
async function reload(
  n: number,
  dir: string,
  load: () => Promise<CompiledConfig>,
  expected: Record<string, unknown>,
): Promise<{ configs: WeakRef<CompiledConfig>[]; filters: WeakRef<FilterSpec>[] }> {
  const configs: WeakRef<CompiledConfig>[] = [];
  const filters: WeakRef<FilterSpec>[] = [];
  for (let i = 1; i <= n; i++) {
    // Every other load the same text, else a new filter literal: both must leave nothing behind.
    if (i % 2 === 0) await writeFile(join(dir, "config.yaml"), configText(i));
    const config = await load();
    expect(results(config)).toEqual(expected);
    configs.push(new WeakRef(config));
    for (const f of filtersOf(config)) filters.push(new WeakRef(f));
  }
  return { configs, filters };
}

describe("reloading a config", () => {
  it(`${RELOADS} reloads give the same results and keep no compiled config or filter alive`, async () => {
    const registry = createBuiltinRegistry();
    const dir = await writeConfigDir({ "config.yaml": configText(0) });
    dirs.push(dir);
    const load = () => loadConfigDir(dir, { registry, relativeTo: dir });

    const first = await load();
    const expected = results(first);
    expect(expected.issues).toEqual([]);
    expect(expected.params).toMatchObject({
      distinct: [{ ok: true, value: "6113728f27ae82c7b1a177c8d03f9e96e0adf246" }],
      emails: [{ ok: true }],
      varying: [{ ok: true, value: "Initial commit" }],
    });
    // The compiled filter travels in its own path step.
    expect(filtersOf(first)[0]).toEqual({
      op: "==",
      left: { kind: "path", steps: [{ kind: "field", name: "distinct" }] },
      right: { kind: "literal", value: true },
    });

    const { configs, filters } = await reload(RELOADS, dir, load, expected);
    expect(filters).toHaveLength(RELOADS * 2);
    // Loading again after all of them still gives the first load's results.
    expect(results(await load())).toEqual(expected);
    expect(results(first)).toEqual(expected);

    await collectGarbage();
    expect(configs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(filters.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });

  it("two configs loaded in turn keep their own filters", async () => {
    const registry = createBuiltinRegistry();
    const a = await writeConfigDir({ "config.yaml": configText(0) });
    const b = await writeConfigDir({
      "config.yaml": configText(0).replace("@.distinct == true", "@.distinct == false"),
    });
    dirs.push(a, b);
    const configA = await loadConfigDir(a, { registry, relativeTo: a });
    const configB = await loadConfigDir(b, { registry, relativeTo: b });
    const distinct = (c: CompiledConfig) => (results(c).params as Record<string, unknown>).distinct;
    expect(distinct(configA)).toEqual([
      { ok: true, value: "6113728f27ae82c7b1a177c8d03f9e96e0adf246" },
    ]);
    expect(distinct(configB)).toEqual([{ ok: true, value: "[]" }]);
    await loadConfigDir(a, { registry, relativeTo: a });
    expect(distinct(configB)).toEqual([{ ok: true, value: "[]" }]);
  });
});

/** Constants that look like containers but are only read (their modules are not ours to edit). */
const READ_ONLY_CONSTANTS = new Set([
  "src/config/load-config.ts EXTENSIONS",
  "src/config/cluster/cluster-config-source.ts USER_META",
]);

describe("module-level state", () => {
  it("the bindings, templates and config stages declare no mutable module-level container", () => {
    const root = new URL("../../..", import.meta.url).pathname;
    const found = findModuleLevelState(root, ["src/bindings", "src/templates", "src/config"]);
    const unexpected = found.filter((f) => !READ_ONLY_CONSTANTS.has(f.replace(/:\d+ /, " ")));
    expect(unexpected).toEqual([]);
  });
});
