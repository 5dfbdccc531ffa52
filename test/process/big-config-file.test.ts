import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { HOOKLINE_BIN, removeDir, scratchDir } from "../support/process-hookline.js";

/**
 * A config file over 256 KiB is read in a worker thread on a reload
 * (src/config/load-yaml-off-thread.ts; the worker's file exists only in the build): the build's
 * loadConfigDir must give with `offThread` what the in-thread reading gives, and `hookline
 * validate` (in-thread) every trigger, and an error deep in the file at its own line and column,
 * found by the slow reading the error asks for. Needs the build in dist/ (`npm run build`).
 */
const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const TRIGGERS = 1_200;

function configText(badAt: number | undefined): string {
  const parts = [
    `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
spec:
  params:
    - name: ref
      value: $(body.ref)
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: ref
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        generateName: x-
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: org
spec:
  triggers:
`,
  ];
  for (let i = 0; i < TRIGGERS; i++) {
    const filter =
      i === badAt ? "body.repository.full_name ==" : `body.repository.full_name == 'org/repo-${i}'`;
    parts.push(`    - name: repo-${i}
      interceptors:
        - ref:
            name: cel
          params:
            - name: filter
              value: "${filter}"
      bindings:
        - ref: tb
      template:
        ref: tt
`);
  }
  return parts.join("");
}

async function validate(text: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = scratchDir();
  dirs.push(dir);
  mkdirSync(join(dir, "config"));
  writeFileSync(join(dir, "config", "org.yaml"), text);
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [HOOKLINE_BIN, "validate", join(dir, "config")],
      { cwd: dir },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The build's loader, as serve uses it: off the thread on a reload, in it at start-up. */
async function loadBoth(text: string): Promise<{ offThread: unknown; inThread: unknown }> {
  const dir = scratchDir();
  dirs.push(dir);
  writeFileSync(join(dir, "org.yaml"), text);
  const dist = (p: string): string => pathToFileURL(resolve("dist/src", p)).href;
  const { loadConfigDir } = (await import(dist("config/load-config.js"))) as {
    loadConfigDir: (d: string, o: object) => Promise<{ listeners: unknown[]; issues: unknown[] }>;
  };
  const { createInterceptorRegistry } = (await import(
    dist("interceptors/plugins/create-interceptor-registry.js")
  )) as { createInterceptorRegistry: (p: undefined) => Promise<object> };
  const registry = await createInterceptorRegistry(undefined);
  const seen = async (offThread: boolean) => {
    const c = await loadConfigDir(dir, { registry, offThread, relativeTo: dir });
    const triggers = (c.listeners as { triggers: { name: string }[] }[]).flatMap((l) =>
      l.triggers.map((t) => t.name),
    );
    return { triggers, issues: JSON.parse(JSON.stringify(c.issues)) as unknown };
  };
  return { offThread: await seen(true), inThread: await seen(false) };
}

describe("a config file read in a worker thread", () => {
  it("is big enough to be", () => {
    expect(configText(undefined).length).toBeGreaterThan(256 * 1024);
  });

  it("is read off the thread as in it, clean and with an error", async () => {
    for (const bad of [undefined, 1_100]) {
      const { offThread, inThread } = await loadBoth(configText(bad));
      expect(offThread).toEqual(inThread);
      const seen = inThread as { triggers: string[]; issues: unknown[] };
      if (bad === undefined) expect(seen.triggers).toHaveLength(TRIGGERS);
      else expect(seen.issues).not.toHaveLength(0);
    }
  });

  it("validates clean", async () => {
    const out = await validate(configText(undefined));
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
  });

  it("reports an error deep in the file at its line and column", async () => {
    const bad = 1_100;
    const text = configText(bad);
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes('"body.repository.full_name =="')) + 1;
    const column =
      (lines[line - 1] ?? "").indexOf('"') + 1 + 1 + "body.repository.full_name ==".length;
    const out = await validate(text);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      `config/org.yaml:${line}:${column} spec.triggers[${bad}].interceptors[0].params[0].value: failed to parse expression`,
    );
  });
});
