import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import type { CompiledConfig, InterceptorStep } from "../../../src/config/compiled.js";
import { formatIssue, loadConfigDir } from "../../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { writeConfigDir } from "../../support/test-app.js";

/*
 * An organisation's listener repeats the same interceptor params in every trigger: equal core
 * params are compiled once and held once (one params object, one step, one authenticator, one
 * dispatch step), equal CEL text gives one program, and each interceptor still reports its own
 * warnings at its own place.
 */

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const trigger = (name: string, secret: string, eventType: string, filter: string): string => `
    - name: ${name}
      interceptors:
        - ref: { name: github }
          params:
            - name: secretRef
              value: { secretName: ${secret}, secretKey: token }
            - name: eventTypes
              value: ["${eventType}"]
        - ref: { name: cel }
          params:
            - name: filter
              value: "${filter}"
      template: { ref: tt }`;

async function load(triggers: string[]): Promise<CompiledConfig> {
  const dir = await writeConfigDir({
    "config.yaml": `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: el }
spec:
  triggers:${triggers.join("")}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt }
spec:
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata: { name: cm }
`,
  });
  dirs.push(dir);
  return loadConfigDir(dir, { registry: createBuiltinRegistry(), relativeTo: dir });
}

function stepsOf(config: CompiledConfig): InterceptorStep[][] {
  return (config.listeners[0]?.triggers ?? []).map((t) => {
    if (t.plan.kind !== "plan") throw new Error(`broken: ${t.plan.reason}`);
    return [...t.plan.interceptors];
  });
}

const celFilterOf = (step: InterceptorStep | undefined): unknown =>
  step?.kind === "builtin" ? (step.params as { filter?: unknown }).filter : undefined;

describe("equal interceptor params are compiled and held once", () => {
  it("shares the github step, its params and authenticator, and the program of equal CEL text", async () => {
    const config = await load([
      trigger("a", "s", "push", "body.repository.full_name == 'org/a'"),
      trigger("b", "s", "push", "body.repository.full_name == 'org/b'"),
      trigger("c", "s", "push", "body.repository.full_name == 'org/a'"),
      trigger("d", "other", "push", "body.repository.full_name == 'org/a'"),
    ]);
    expect(config.issues.map(formatIssue)).toEqual([]);
    const [a, b, c, d] = stepsOf(config);
    expect(a?.[0]).toBe(b?.[0]);
    expect(a?.[0]).toBe(c?.[0]);
    expect(a?.[0]).not.toBe(d?.[0]); // another secret
    const plans = config.listeners[0]?.triggers.map((t) =>
      t.plan.kind === "plan" ? t.plan : undefined,
    );
    expect(plans?.[0]?.authenticator).toBeDefined();
    expect(plans?.[0]?.authenticator).toBe(plans?.[1]?.authenticator);
    expect(plans?.[0]?.authenticator).not.toBe(plans?.[3]?.authenticator);
    expect(plans?.[0]?.dispatch?.steps[0]).toBe(plans?.[1]?.dispatch?.steps[0]);
    // The cel params differ by their filter text; equal text is one program.
    expect(a?.[1]).not.toBe(b?.[1]);
    expect(celFilterOf(a?.[1])).toBe(celFilterOf(c?.[1]));
    expect(celFilterOf(a?.[1])).not.toBe(celFilterOf(b?.[1]));
  });

  it("reports a shared params' warnings at each interceptor that has them", async () => {
    const config = await load([
      trigger("a", "s", "pushh", "body.x == 'a'"),
      trigger("b", "s", "pushh", "body.x == 'b'"),
    ]);
    const warnings = config.issues.filter((i) => i.severity === "warning");
    expect(warnings.map((w) => [w.loc.line, w.loc.field])).toEqual([
      [14, "spec.triggers[0].interceptors[0].params[1].value[0]"],
      [27, "spec.triggers[1].interceptors[0].params[1].value[0]"],
    ]);
    expect(new Set(warnings.map((w) => w.message)).size).toBe(1);
  });
});
