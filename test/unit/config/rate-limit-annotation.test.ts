import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import type { CompiledConfig } from "../../../src/config/compiled.js";
import { formatIssue, hasDocumentErrors, loadConfigDir } from "../../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { writeConfigDir } from "../../support/test-app.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function load(files: Record<string, string>): Promise<CompiledConfig> {
  const dir = await writeConfigDir(files);
  dirs.push(dir);
  return loadConfigDir(dir, { registry: createBuiltinRegistry(), relativeTo: dir });
}

/** 1-based line and column of `needle` in `text`, as the loader counts. */
function at(text: string, needle: string): { line: number; column: number } {
  const idx = text.indexOf(needle);
  if (idx < 0) throw new Error(`test bug: ${needle} not in text`);
  const before = text.slice(0, idx);
  return { line: before.split("\n").length, column: idx - before.lastIndexOf("\n") };
}

const config = (listenerLimit: string | undefined, triggerLimit: string | undefined): string => `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
  namespace: ci${listenerLimit === undefined ? "" : `\n  annotations:\n    hookline.dev/rate-limit: ${listenerLimit}`}
spec:
  triggers:
    - triggerRef: build
    - name: inline
      template: { ref: tt }
  triggerGroups:
    - name: g
      interceptors:
        - ref: { name: cel }
          params: [{ name: filter, value: "true" }]
      triggerSelector:
        labelSelector: { matchLabels: { team: a } }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: build
  namespace: ci${triggerLimit === undefined ? "" : `\n  annotations:\n    hookline.dev/rate-limit: ${triggerLimit}`}
spec:
  template: { ref: tt }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: grouped
  namespace: ci
  labels: { team: a }
  annotations: { hookline.dev/rate-limit: "100/h" }
spec:
  template: { ref: tt }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt, namespace: ci }
spec:
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { generateName: e- } }
`;

describe("hookline.dev/rate-limit at load", () => {
  it("compiles the listener's and each Trigger's limit (its groups' too)", async () => {
    const c = await load({ "el.yaml": config('"5/s"', '"20/m"') });
    expect(c.issues.filter((i) => i.severity !== "note").map(formatIssue)).toEqual([]);
    const el = c.listeners[0];
    expect(el?.rateLimit).toEqual({ text: "5/s", count: 5, periodMs: 1_000 });
    expect(Object.fromEntries(el?.triggerRateLimits ?? [])).toEqual({
      "namespaces/ci/triggers/build": { text: "20/m", count: 20, periodMs: 60_000 },
      "namespaces/ci/triggers/grouped": { text: "100/h", count: 100, periodMs: 3_600_000 },
    });
  });

  it("without the annotation, nothing is compiled (only the grouped trigger's)", async () => {
    const c = await load({ "el.yaml": config(undefined, undefined) });
    const el = c.listeners[0];
    expect(el?.rateLimit).toBeUndefined();
    expect([...(el?.triggerRateLimits?.keys() ?? [])]).toEqual(["namespaces/ci/triggers/grouped"]);
  });

  it.each([
    { name: "zero on a Trigger", listener: undefined, trigger: '"0/m"', bad: '"0/m"' },
    { name: "a word on a Trigger", listener: undefined, trigger: "x", bad: "x" },
    { name: "days on an EventListener", listener: '"20/d"', trigger: undefined, bad: '"20/d"' },
  ])(
    "$name is a document error at file:line:col naming the valid forms",
    async ({ listener, trigger, bad }) => {
      const text = config(listener, trigger);
      const c = await load({ "el.yaml": text });
      expect(hasDocumentErrors(c.issues)).toBe(true);
      const field = "metadata.annotations[hookline.dev/rate-limit]";
      const issues = c.issues.filter((i) => i.loc.field === field);
      expect(issues.map(formatIssue)).toHaveLength(1);
      const issue = issues[0];
      expect(issue).toMatchObject({
        severity: "error",
        class: "document",
        code: "HL_CONFIG_INVALID",
      });
      // At the value: after `rate-limit: `.
      const key = at(text, `rate-limit: ${bad}`);
      expect(issue?.loc).toEqual({
        file: "el.yaml",
        line: key.line,
        column: key.column + "rate-limit: ".length,
        field,
      });
      expect(issue?.message).toMatch(/"5\/s", "20\/m", "100\/h"/);
    },
  );
});
