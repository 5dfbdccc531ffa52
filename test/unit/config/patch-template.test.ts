import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { formatIssue, loadConfigDir } from "../../../src/config/load-config.js";
import type { CompiledConfig } from "../../../src/config/compiled.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { writeConfigDir } from "../../support/test-app.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function load(text: string): Promise<CompiledConfig> {
  const dir = await writeConfigDir({ "tt.yaml": text });
  dirs.push(dir);
  return loadConfigDir(dir, { registry: createBuiltinRegistry(), relativeTo: dir });
}

/** A TriggerTemplate whose second entry is `patchEntry` (indented as an entry's body). */
function template(patchEntry: string): string {
  return `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: app
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: cm
    - apiVersion: hookline.dev/v1alpha1
      kind: Patch
${patchEntry}`;
}

function at(text: string, needle: string): string {
  const idx = text.search(new RegExp(`(?<![/])${needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  if (idx < 0) throw new Error(`test bug: ${needle} not in text`);
  const before = text.slice(0, idx);
  return `tt.yaml:${before.split("\n").length}:${idx - before.lastIndexOf("\n")}`;
}

async function errors(text: string): Promise<string[]> {
  const c = await load(text);
  return c.issues.filter((i) => i.severity === "error").map(formatIssue);
}

const ENTRY = "spec.resourcetemplates[1]";

describe("a hookline.dev/v1alpha1 Patch entry at load", () => {
  it("loads a merge patch whose target is rendered with params", async () => {
    const text = template(`      spec:
        target:
          apiVersion: argoproj.io/v1alpha1
          kind: Application
          namespace: argocd
          name: $(tt.params.app)
        patch:
          metadata:
            annotations:
              argocd.argoproj.io/refresh: normal
`);
    expect(await errors(text)).toEqual([]);
  });

  it("loads a json patch of operations and a strategic patch", async () => {
    const json = template(`      spec:
        target: { apiVersion: apps/v1, kind: Deployment, name: web }
        type: json
        patch:
          - op: replace
            path: /spec/replicas
            value: 2
          - op: remove
            path: /metadata/annotations/stale
          - op: copy
            from: /metadata/labels/app
            path: /metadata/labels/copied
`);
    expect(await errors(json)).toEqual([]);
    const strategic = template(`      spec:
        target: { apiVersion: apps/v1, kind: Deployment, name: web }
        type: strategic
        patch: { spec: { template: { metadata: { annotations: { at: now } } } } }
`);
    expect(await errors(strategic)).toEqual([]);
  });

  it("reports an unknown field, with file:line:col", async () => {
    const text = template(`      metadata:
        name: x
      spec:
        target: { apiVersion: v1, kind: ConfigMap, name: cm, nmespace: ci }
        patch: {}
`);
    expect(await errors(text)).toEqual([
      `${at(text, "metadata:\n        name: x")} ${ENTRY}.metadata: unknown field "metadata"`,
      `${at(text, "nmespace")} ${ENTRY}.spec.target.nmespace: unknown field "nmespace"`,
    ]);
  });

  it("reports a target without name, kind or apiVersion", async () => {
    const text = template(`      spec:
        target:
          namespace: argocd
        patch: {}
`);
    const where = at(text, "namespace: argocd");
    expect(await errors(text)).toEqual([
      `${where} ${ENTRY}.spec.target.apiVersion: missing field: apiVersion`,
      `${where} ${ENTRY}.spec.target.kind: missing field: kind`,
      `${where} ${ENTRY}.spec.target.name: missing field: name`,
    ]);
  });

  it("reports a missing spec, target or patch", async () => {
    expect(await errors(template("      metadata: {}\n"))).toContainEqual(
      expect.stringContaining(`${ENTRY}.spec: missing field: spec`),
    );
    const text = template("      spec:\n        type: merge\n");
    expect(await errors(text)).toEqual([
      `${at(text, "type: merge")} ${ENTRY}.spec.target: missing field: target`,
      `${at(text, "type: merge")} ${ENTRY}.spec.patch: missing field: patch`,
    ]);
  });

  it("reports a bad type", async () => {
    const text = template(`      spec:
        target: { apiVersion: v1, kind: ConfigMap, name: cm }
        type: apply
        patch: {}
`);
    expect(await errors(text)).toEqual([
      `${at(text, "apply")} ${ENTRY}.spec.type: type must be one of merge, json, strategic (default merge), got "apply"`,
    ]);
  });

  it("reports a json patch that is not a list of operations with op and path", async () => {
    const notList = template(`      spec:
        target: { apiVersion: v1, kind: ConfigMap, name: cm }
        type: json
        patch: { data: { a: b } }
`);
    expect(await errors(notList)).toEqual([
      `${at(notList, "{ data")} ${ENTRY}.spec.patch: a json patch must be a list of operations (RFC 6902: op, path), got an object`,
    ]);
    const badOps = template(`      spec:
        target: { apiVersion: v1, kind: ConfigMap, name: cm }
        type: json
        patch:
          - path: /data/a
            value: b
          - op: upsert
            path: /data/a
          - op: add
            path: data/a
          - op: move
            path: /data/b
`);
    expect(await errors(badOps)).toEqual([
      `${at(badOps, "path: /data/a\n            value")} ${ENTRY}.spec.patch[0].op: missing field: op`,
      `${at(badOps, "upsert")} ${ENTRY}.spec.patch[1].op: op must be one of add, remove, replace, move, copy, test`,
      `${at(badOps, "data/a\n")} ${ENTRY}.spec.patch[2].path: "data/a" is not a JSON pointer: it must start with "/"`,
      `${at(badOps, "op: add")} ${ENTRY}.spec.patch[2].value: missing field: value (an add op needs one)`,
      `${at(badOps, "op: move")} ${ENTRY}.spec.patch[3].from: missing field: from (a move op needs one)`,
    ]);
  });

  it("reports a merge patch that is not an object", async () => {
    const text = template(`      spec:
        target: { apiVersion: v1, kind: ConfigMap, name: cm }
        patch: [a]
`);
    expect(await errors(text)).toEqual([
      `${at(text, "[a]")} ${ENTRY}.spec.patch: a merge patch must be an object, got a list`,
    ]);
  });
});
