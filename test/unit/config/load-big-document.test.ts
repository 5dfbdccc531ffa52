import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfigDir } from "../../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { writeConfigDir } from "../../support/test-app.js";

/**
 * One EventListener with thousands of triggers is one YAML document far larger than the piece
 * the loader lexes and parses between two turns of the event loop (64 KiB): what it decodes must
 * be what a single pass would, positions included, whatever the pieces cut through.
 */
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const HEAD = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: org
spec:
  triggers:
`;
const trigger = (i: number, extra = ""): string => `    - name: repo-${i}
      interceptors:
        - ref:
            name: cel
          params:
            - name: filter
              value: "body.repository.full_name == 'org/repo-${i}'"
      bindings:
        - ref: tb
      template:
        ref: tt
${extra}`;
const REST = `---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
spec:
  params:
    - name: repo
      value: $(body.repository.full_name)
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: repo
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        generateName: cm-
`;

async function load(text: string): Promise<Awaited<ReturnType<typeof loadConfigDir>>> {
  const dir = await writeConfigDir({ "listener.yaml": text });
  dirs.push(dir);
  return loadConfigDir(dir, { registry: createBuiltinRegistry(), relativeTo: dir });
}

describe("a config of one big document", () => {
  it("decodes every trigger of a document many pieces long", async () => {
    const parts = [HEAD];
    for (let i = 0; i < 1500; i++) parts.push(trigger(i));
    const text = parts.join("") + REST;
    expect(text.length).toBeGreaterThan(5 * 64 * 1024);
    const config = await load(text);
    expect(config.issues.filter((i) => i.severity === "error")).toEqual([]);
    const names = config.listeners[0]?.triggers.map((t) => t.name) ?? [];
    expect(names).toHaveLength(1500);
    expect(names.at(-1)).toBe("repo-1499");
  });

  it("places an error near the end at its own line and column", async () => {
    const parts = [HEAD];
    for (let i = 0; i < 1200; i++) parts.push(trigger(i, i === 1100 ? "      bindingz: []\n" : ""));
    const text = parts.join("") + REST;
    const line = text.slice(0, text.indexOf("bindingz")).split("\n").length;
    const config = await load(text);
    const issue = config.issues.find((i) => i.loc.field === "spec.triggers[1100].bindingz");
    expect(issue?.severity).toBe("error");
    expect(issue?.loc).toMatchObject({ file: "listener.yaml", line, column: 7 });
  });

  it("keeps a value longer than a piece whole", async () => {
    // A filter of 200 KB: the pieces cut through the scalar, the lexer carries it over.
    const long = `'${"x".repeat(200 * 1024)}'`;
    const text = HEAD + trigger(0).replace("'org/repo-0'", long) + REST;
    const config = await load(text);
    expect(config.issues.filter((i) => i.severity === "error")).toEqual([]);
    // The compiled plan holds CEL's type graph (cyclic): its strings are looked for, once each.
    const seen = new WeakSet<object>();
    const text200k = JSON.stringify(config.listeners[0]?.triggers[0]?.plan, (_k, v: unknown) => {
      if (typeof v !== "object" || v === null) return v;
      if (seen.has(v)) return undefined;
      seen.add(v);
      return v;
    });
    expect(text200k).toContain("x".repeat(1000));
  });

  it("leaves process.env as it was", async () => {
    const env = process.env;
    await load(HEAD + trigger(0) + REST);
    expect(process.env).toBe(env);
  });
});
