import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import type {
  CompiledConfig,
  CompiledListener,
  CompiledTrigger,
  TriggerPlan,
} from "../../../src/config/compiled.js";
import {
  decodeConfigText,
  formatIssue,
  hasDocumentErrors,
  loadConfigDir,
  type DecodedConfig,
} from "../../../src/config/load-config.js";
import type { ConfigIssue } from "../../../src/config/types.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import type { GithubParams } from "../../../interceptors/github/params.js";
import { writeConfigDir } from "../../support/test-app.js";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Loads `files` from a fresh temp dir; issue paths are relative to that dir (e.g. `a.yaml`). */
async function load(files: Record<string, string>): Promise<CompiledConfig> {
  const dir = await writeConfigDir(files);
  dirs.push(dir);
  return loadConfigDir(dir, { registry: createBuiltinRegistry(), relativeTo: dir });
}

/** 1-based line and column of the `nth` occurrence of `needle` in `text` (the way the loader counts). */
function at(text: string, needle: string, nth = 0): { line: number; column: number } {
  let idx = -1;
  for (let i = 0; i <= nth; i++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`test bug: ${JSON.stringify(needle)} (#${nth}) not in text`);
  }
  const before = text.slice(0, idx);
  return { line: before.split("\n").length, column: idx - before.lastIndexOf("\n") };
}

const errorsOf = (c: { issues: readonly ConfigIssue[] }): ConfigIssue[] =>
  c.issues.filter((i) => i.severity === "error");
const notNotes = (c: { issues: readonly ConfigIssue[] }): ConfigIssue[] =>
  c.issues.filter((i) => i.severity !== "note");

function issueAt(c: { issues: readonly ConfigIssue[] }, field: string): ConfigIssue {
  const found = c.issues.filter((i) => i.loc.field === field);
  expect(found, `issues for ${field}: ${c.issues.map(formatIssue).join(" | ")}`).toHaveLength(1);
  return found[0] as ConfigIssue;
}

function listener(c: CompiledConfig, name: string): CompiledListener {
  const l = c.listeners.find((x) => x.name === name);
  if (l === undefined)
    throw new Error(
      `listener ${name} not compiled; issues: ${c.issues.map(formatIssue).join(" | ")}`,
    );
  return l;
}

function plan(t: CompiledTrigger | undefined): TriggerPlan {
  if (t === undefined) throw new Error("no such trigger");
  if (t.plan.kind !== "plan") throw new Error(`trigger ${t.name} is broken: ${t.plan.reason}`);
  return t.plan;
}

const TEMPLATE_STUB = `
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        generateName: cm-
`;

/** An EventListener whose first trigger is `triggerBody` (indented under `- `), plus a template `tt`. */
function listenerWith(triggerBody: string, version = "v1beta1"): string {
  return `apiVersion: triggers.tekton.dev/${version}
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - name: t
${triggerBody
  .split("\n")
  .map((l) => (l === "" ? l : `      ${l}`))
  .join("\n")}
${TEMPLATE_STUB}`;
}

// ---------------------------------------------------------------------------------------------
// A valid v1beta1 set
// ---------------------------------------------------------------------------------------------

const VALID_SET = {
  "listener.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: github-listener
spec:
  serviceAccountName: el-sa
  triggers:
    - name: push
      serviceAccountName: creator
      interceptors:
        - ref:
            name: github
          params:
            - name: secretRef
              value:
                secretName: gh
                secretKey: token
            - name: eventTypes
              value: ["push"]
        - ref:
            name: cel
          params:
            - name: filter
              value: "body.ref.startsWith('refs/heads/')"
      bindings:
        - ref: push-binding
        - ref: cluster-binding
          kind: ClusterTriggerBinding
        - name: event
          value: $(header.X-GitHub-Event)
      template:
        ref: build
    - triggerRef: pr
`,
  "trigger.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: pr
spec:
  bindings:
    - ref: push-binding
  template:
    ref: build
`,
  "bindings.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: push-binding
spec:
  params:
    - name: revision
      value: $(body.after)
    - name: repo-url
      value: $(body.repository.clone_url)
---
apiVersion: triggers.tekton.dev/v1beta1
kind: ClusterTriggerBinding
metadata:
  name: cluster-binding
spec:
  params:
    - name: cluster
      value: prod
`,
  "template.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: build
spec:
  params:
    - name: revision
    - name: repo-url
    - name: event
      default: push
    - name: cluster
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: build-
      spec:
        params:
          - name: revision
            value: $(tt.params.revision)
          - name: url
            value: $(tt.params.repo-url)
          - name: pipelines-syntax-stays
            value: $(params.not-ours)
`,
};

describe("loadConfigDir: a valid v1beta1 set", () => {
  it("loads with no errors or warnings and counts every kind", async () => {
    const c = await load(VALID_SET);
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    expect(hasDocumentErrors(c.issues)).toBe(false);
    expect(c.counts).toMatchObject({
      EventListener: 1,
      Trigger: 1,
      TriggerBinding: 1,
      ClusterTriggerBinding: 1,
      TriggerTemplate: 1,
    });
  });

  it("compiles the listener, its inline trigger and its triggerRef", async () => {
    const c = await load(VALID_SET);
    const l = listener(c, "github-listener");
    expect(l.namespace).toBe("default");
    expect(l.payloadValidation).toBe(true);
    expect(l.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(l.triggers.map((t) => [t.name, t.via, t.id])).toEqual([
      ["push", "inline", "namespaces/default/triggers/push"],
      ["pr", "triggerRef", "namespaces/default/triggers/pr"],
    ]);

    const push = plan(l.triggers[0]);
    expect(push.interceptors.map((s) => [s.kind, s.name])).toEqual([
      ["builtin", "github"],
      ["builtin", "cel"],
    ]);
    // Tekton's order: inline params, then TriggerBinding refs, then ClusterTriggerBinding refs.
    expect(push.bindings.map((b) => [b.name, b.value.source, b.from])).toEqual([
      ["event", "$(header.X-GitHub-Event)", "inline"],
      ["revision", "$(body.after)", "TriggerBinding default/push-binding"],
      ["repo-url", "$(body.repository.clone_url)", "TriggerBinding default/push-binding"],
      ["cluster", "prod", "ClusterTriggerBinding cluster-binding"],
    ]);
    expect(push.templateName).toBe("build");
    expect(push.template.params.map((p) => p.name)).toEqual([
      "revision",
      "repo-url",
      "event",
      "cluster",
    ]);
    expect(push.template.resources).toHaveLength(1);
    expect(push.serviceAccountName).toBe("creator");

    const pr = plan(l.triggers[1]);
    expect(pr.interceptors).toEqual([]);
    expect(pr.bindings.map((b) => b.name)).toEqual(["revision", "repo-url"]);
    expect(pr.templateName).toBe("build");
  });

  it("compiles the github interceptor's params at load", async () => {
    const c = await load(VALID_SET);
    const step = plan(listener(c, "github-listener").triggers[0]).interceptors[0];
    expect(step?.kind).toBe("builtin");
    const params = (step as { params: GithubParams }).params;
    expect(params.secretRef).toEqual({ secretName: "gh", secretKey: "token" });
    expect(params.eventTypes).toEqual(["push"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Document errors: YAML syntax, unknown fields, wrong types
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: YAML syntax errors", () => {
  it("is a document error naming the file and the line, and the file's good documents still load", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: good
spec:
  params:
    - name: a
      value: b
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: broken
spec:
  params: [{name: a, value: b}
`;
    const c = await load({ "ok.yaml": VALID_SET["template.yaml"], "bad.yaml": text });
    const errs = errorsOf(c);
    expect(errs.length).toBeGreaterThanOrEqual(1);
    for (const e of errs) {
      expect(e.class).toBe("document");
      expect(e.loc.file).toBe("bad.yaml");
    }
    // The unclosed flow sequence starts on line 14; the parser may report it there or at the end.
    expect(errs[0]?.loc.line).toBeGreaterThanOrEqual(at(text, "params: [").line);
    expect(errs[0]?.loc.line).toBeLessThanOrEqual(text.split("\n").length);
    expect(hasDocumentErrors(c.issues)).toBe(true);
    expect(c.counts["TriggerBinding"]).toBe(1);
    expect(c.counts["TriggerTemplate"]).toBe(1);
  });

  it.each([
    {
      name: "tab indentation",
      text: "apiVersion: v1\nkind: Secret\nmetadata:\n\tname: x\n",
      line: 4,
    },
    {
      name: "duplicate key",
      text: "apiVersion: v1\nkind: Secret\nkind: Secret\nmetadata: {name: x}\n",
      line: 3,
    },
    {
      name: "bad indentation",
      text: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n namespace: y\n",
      line: 5,
    },
  ])("$name → document error on line $line", async ({ text, line }) => {
    const c = await load({ "s.yaml": text });
    const errs = errorsOf(c);
    expect(errs.length).toBeGreaterThanOrEqual(1);
    expect(errs[0]).toMatchObject({ class: "document", loc: { file: "s.yaml", line } });
  });
});

describe("loadConfigDir: unknown fields", () => {
  it.each([
    {
      name: "a misspelt trigger field",
      text: listenerWith("bindingz:\n  - ref: tb\ntemplate:\n  ref: tt"),
      field: "spec.triggers[0].bindingz",
      needle: "bindingz",
    },
    {
      name: "a misspelt binding field",
      text: listenerWith("bindings:\n  - reff: tb\ntemplate:\n  ref: tt"),
      field: "spec.triggers[0].bindings[0].reff",
      needle: "reff",
    },
    {
      name: "a misspelt interceptor ref field",
      text: listenerWith("interceptors:\n  - ref:\n      nam: cel\ntemplate:\n  ref: tt"),
      field: "spec.triggers[0].interceptors[0].ref.nam",
      needle: "nam:",
    },
    {
      name: "a misspelt EventListener spec field",
      text: `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  serviceAcountName: x
  triggers: []
`,
      field: "spec.serviceAcountName",
      needle: "serviceAcountName",
    },
    {
      name: "an unknown metadata field",
      text: `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
  lables: {a: b}
spec:
  params: [{name: a, value: b}]
`,
      field: "metadata.lables",
      needle: "lables",
    },
    {
      name: "an unknown template param field",
      text: `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: a
      defualt: x
  resourcetemplates:
    - {apiVersion: v1, kind: ConfigMap}
`,
      field: "spec.params[0].defualt",
      needle: "defualt",
    },
  ])("$name → file:line:col and the full field path", async ({ text, field, needle }) => {
    const c = await load({ "triggers.yaml": text });
    const issue = issueAt(c, field);
    const { line, column } = at(text, needle);
    expect(issue).toMatchObject({ severity: "error", class: "document" });
    expect(issue.loc).toEqual({ file: "triggers.yaml", line, column, field });
    expect(formatIssue(issue)).toMatch(
      new RegExp(`^triggers\\.yaml:${line}:${column} ${field.replace(/[[\].]/g, "\\$&")}: `),
    );
  });
});

describe("loadConfigDir: wrong types", () => {
  it.each([
    {
      name: "a list where a string is expected",
      text: `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  serviceAccountName: [a, b]
  triggers: []
`,
      field: "spec.serviceAccountName",
      needle: "[a, b]",
    },
    {
      name: "a string where a list is expected",
      text: `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers: "push"
`,
      field: "spec.triggers",
      needle: '"push"',
    },
    {
      name: "a number as a TriggerBinding param value (Go: cannot unmarshal number into string)",
      text: `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
spec:
  params:
    - name: a
      value: 42
`,
      field: "spec.params[0].value",
      needle: "42",
    },
    {
      name: "a scalar where an object is expected",
      text: `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec: nope
`,
      field: "spec",
      needle: "nope",
    },
    {
      name: "a boolean annotation value",
      text: `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
  annotations:
    tekton.dev/payload-validation: false
spec:
  triggers: []
`,
      field: "metadata.annotations[tekton.dev/payload-validation]",
      needle: "false",
    },
  ])("$name → document error at the value", async ({ text, field, needle }) => {
    const c = await load({ "w.yaml": text });
    const issue = issueAt(c, field);
    expect(issue).toMatchObject({ severity: "error", class: "document" });
    expect(issue.loc).toEqual({ file: "w.yaml", ...at(text, needle), field });
  });
});

describe("loadConfigDir: field names match case-insensitively (Go encoding/json)", () => {
  it("accepts resourceTemplates and ResourceTemplates for resourcetemplates", async () => {
    const c = await load({
      "tt.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: camel
spec:
  Params:
    - Name: a
  resourceTemplates:
    - apiVersion: v1
      kind: ConfigMap
      data:
        a: $(tt.params.a)
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: pascal
spec:
  ResourceTemplates:
    - apiVersion: v1
      kind: ConfigMap
`,
    });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    expect(c.counts["TriggerTemplate"]).toBe(2);
  });

  it("accepts CheckType inside the github interceptor's githubOwners param", async () => {
    const c = await load({
      "el.yaml": listenerWith(`interceptors:
  - ref:
      Name: github
    params:
      - name: githubOwners
        value:
          Enabled: false
          CheckType: orgMembers
template:
  ref: tt`),
    });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    const step = plan(listener(c, "el").triggers[0]).interceptors[0];
    expect(step).toMatchObject({ kind: "builtin", name: "github" });
    expect((step as { params: GithubParams }).params.githubOwners).toEqual({
      enabled: false,
      checkType: "orgMembers",
    });
  });

  it("accepts apiVersion for a binding's lowercase apiversion and TemplateRef fields in any case", async () => {
    const c = await load({
      "el.yaml": listenerWith(`Bindings:
  - Ref: tb
    apiVersion: v1beta1
Template:
  REF: tt`),
      "tb.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: {name: tb}
spec: {params: [{name: a, value: b}]}
`,
    });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    expect(plan(listener(c, "el").triggers[0]).bindings.map((b) => b.name)).toEqual(["a"]);
  });
});

// ---------------------------------------------------------------------------------------------
// File layouts: multi-document, List, JSON, other kinds
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: file layouts", () => {
  it("reads every document of a multi-document file, with line numbers counted across documents", async () => {
    const text = `${VALID_SET["bindings.yaml"]}---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: third
spec:
  params:
    - name: x
      valu: y
`;
    const c = await load({ "multi.yaml": text });
    expect(c.counts).toMatchObject({ TriggerBinding: 2, ClusterTriggerBinding: 1 });
    const issue = issueAt(c, "spec.params[0].valu");
    expect(issue.loc).toMatchObject({ file: "multi.yaml", ...at(text, "valu:") });
  });

  it("ignores empty documents and comments-only documents", async () => {
    const c = await load({
      "e.yaml": `---\n# nothing here\n---\n${VALID_SET["template.yaml"]}---\n`,
    });
    expect(notNotes(c)).toEqual([]);
    expect(c.counts["TriggerTemplate"]).toBe(1);
  });

  it("reads the items of a v1 List, and positions errors inside them", async () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: triggers.tekton.dev/v1beta1
    kind: TriggerBinding
    metadata:
      name: in-list
    spec:
      params:
        - name: a
          value: b
  - apiVersion: triggers.tekton.dev/v1beta1
    kind: TriggerBinding
    metadata:
      name: broken-in-list
    spec:
      params: [{name: a, value: b}]
      paramz: []
`;
    const c = await load({ "list.yaml": text });
    expect(c.counts["TriggerBinding"]).toBe(2);
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({
      class: "document",
      loc: { file: "list.yaml", ...at(text, "paramz") },
    });
    expect(errs[0]?.loc.field).toMatch(/spec\.paramz$/);
  });

  it("reads .json files, with positions in the JSON text", async () => {
    const text = JSON.stringify(
      {
        apiVersion: "triggers.tekton.dev/v1beta1",
        kind: "TriggerBinding",
        metadata: { name: "from-json" },
        spec: { params: [{ name: "a", value: "$(body.a)", vaule: "typo" }] },
      },
      null,
      2,
    );
    const c = await load({
      "binding.json": text,
      "ok.json": JSON.stringify({ ...JSON.parse(VALID_JSON) }),
    });
    expect(c.counts["TriggerBinding"]).toBe(2);
    const issue = issueAt(c, "spec.params[0].vaule");
    expect(issue).toMatchObject({
      class: "document",
      loc: { file: "binding.json", ...at(text, '"vaule"') },
    });
  });

  it.each([
    { name: "a Tekton Task", apiVersion: "tekton.dev/v1", kind: "Task" },
    { name: "a Tekton Pipeline", apiVersion: "tekton.dev/v1", kind: "Pipeline" },
    { name: "an RBAC Role", apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
    { name: "a ServiceAccount", apiVersion: "v1", kind: "ServiceAccount" },
    { name: "a ConfigMap", apiVersion: "v1", kind: "ConfigMap" },
  ])("skips $name with a note, not an error", async ({ apiVersion, kind }) => {
    const text = `${VALID_SET["template.yaml"]}---
apiVersion: ${apiVersion}
kind: ${kind}
metadata:
  name: other
spec:
  anything: [goes, here]
`;
    const c = await load({ "mixed.yaml": text });
    expect(errorsOf(c)).toEqual([]);
    expect(c.issues.filter((i) => i.severity === "warning")).toEqual([]);
    const notes = c.issues.filter((i) => i.severity === "note");
    expect(notes).toHaveLength(1);
    expect(notes[0]?.loc).toMatchObject({
      file: "mixed.yaml",
      line: at(text, `---\napiVersion: ${apiVersion}`).line + 1,
    });
    expect(notes[0]?.message).toContain(kind);
    expect(c.counts["TriggerTemplate"]).toBe(1);
  });

  it("skips the shared examples' RBAC and pipeline files without errors", async () => {
    const c = await load({
      "rbac.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: x
subjects:
  - kind: ServiceAccount
    name: sa
    namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: tekton-triggers-eventlistener-clusterroles
`,
    });
    expect(errorsOf(c)).toEqual([]);
    expect(c.issues.every((i) => i.severity === "note")).toBe(true);
  });
});

const VALID_JSON = JSON.stringify({
  apiVersion: "triggers.tekton.dev/v1beta1",
  kind: "TriggerBinding",
  metadata: { name: "other-json" },
  spec: { params: [{ name: "b", value: "x" }] },
});

// ---------------------------------------------------------------------------------------------
// Reference errors
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: reference errors", () => {
  it("a missing TriggerTemplate is a reference error at template.ref and the trigger is broken with that reason", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - name: t
      template:
        ref: x
`;
    const c = await load({ "el.yaml": text });
    const issue = issueAt(c, "spec.triggers[0].template.ref");
    expect(issue).toMatchObject({ severity: "error", class: "reference" });
    expect(issue.loc).toMatchObject({ file: "el.yaml", ...at(text, "x\n") });
    expect(issue.message).toContain('TriggerTemplate "x" not found');
    expect(hasDocumentErrors(c.issues)).toBe(false);

    const t = listener(c, "el").triggers[0];
    expect(t?.plan.kind).toBe("broken");
    expect(t?.plan.kind === "broken" ? t.plan.reason : "").toContain(
      'TriggerTemplate "x" not found',
    );
  });

  it("formats a missing binding the way DESIGN.md shows: triggers.yaml:14:C spec.triggers[0].bindings[1].ref: …", async () => {
    // Laid out like Tekton's own examples; line 14 is the second binding.
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: github-listener
spec:
  serviceAccountName: tekton-triggers-example-sa
  triggers:
    - name: github-push
      interceptors:
        - ref:
            name: github
      bindings:
        - ref: gh-common
        - ref: gh-push
      template:
        ref: build
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: gh-common
spec:
  params: [{name: a, value: b}]
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: build
spec:
  params: [{name: a}]
  resourcetemplates: [{apiVersion: v1, kind: ConfigMap}]
`;
    expect(at(text, "- ref: gh-push").line).toBe(14);
    const c = await load({ "triggers.yaml": text });
    expect(errorsOf(c)).toHaveLength(1);
    const issue = issueAt(c, "spec.triggers[0].bindings[1].ref");
    expect(issue.class).toBe("reference");
    // The column of the offending value (`gh-push`); DESIGN.md's example column (9) is the `-`
    // of the item in this layout. Only the line, field and text are fixed by the design.
    const { column } = at(text, "gh-push\n");
    expect(
      formatIssue(issue).startsWith(
        `triggers.yaml:14:${column} spec.triggers[0].bindings[1].ref: TriggerBinding "gh-push" not found`,
      ),
    ).toBe(true);
    expect(formatIssue(issue)).toMatch(
      /^triggers\.yaml:14:\d+ spec\.triggers\[0\]\.bindings\[1\]\.ref: TriggerBinding "gh-push" not found/,
    );
    const t = listener(c, "github-listener").triggers[0];
    expect(t?.plan.kind === "broken" ? t.plan.reason : "").toContain(
      'TriggerBinding "gh-push" not found',
    );
  });

  it("a missing ClusterTriggerBinding is a reference error too", async () => {
    const text = listenerWith(
      "bindings:\n  - ref: ctb\n    kind: ClusterTriggerBinding\ntemplate:\n  ref: tt",
    );
    const c = await load({ "el.yaml": text });
    const issue = issueAt(c, "spec.triggers[0].bindings[0].ref");
    expect(issue).toMatchObject({ class: "reference", loc: at(text, "ctb\n") });
    expect(issue.message).toContain('ClusterTriggerBinding "ctb" not found');
  });

  it("a missing interceptor is a reference error and breaks the trigger", async () => {
    const text = listenerWith(
      "interceptors:\n  - ref:\n      name: no-such-interceptor\ntemplate:\n  ref: tt",
    );
    const c = await load({ "el.yaml": text });
    const refErrors = errorsOf(c).filter((i) => i.class === "reference");
    expect(refErrors).toHaveLength(1);
    expect(refErrors[0]?.loc.field).toMatch(/^spec\.triggers\[0\]\.interceptors\[0\]\.ref/);
    expect(refErrors[0]?.message).toContain('"no-such-interceptor" not found');
    expect(listener(c, "el").triggers[0]?.plan.kind).toBe("broken");
    expect(hasDocumentErrors(c.issues)).toBe(false);
  });

  it("a triggerRef to a missing Trigger is a reference error and a broken trigger", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - triggerRef: ghost
`;
    const c = await load({ "el.yaml": text });
    const issue = issueAt(c, "spec.triggers[0].triggerRef");
    expect(issue).toMatchObject({
      severity: "error",
      class: "reference",
      loc: { file: "el.yaml", ...at(text, "ghost") },
    });
    expect(issue.message).toContain('Trigger "ghost" not found');
    const t = listener(c, "el").triggers[0];
    expect(t).toMatchObject({ name: "ghost", via: "triggerRef", plan: { kind: "broken" } });
  });

  it("a triggerRef is looked up in the EventListener's namespace only", async () => {
    const c = await load({
      "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - triggerRef: elsewhere
`,
      "trigger.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: elsewhere
  namespace: team-a
spec:
  template:
    spec:
      resourcetemplates: [{apiVersion: v1, kind: ConfigMap}]
`,
    });
    expect(issueAt(c, "spec.triggers[0].triggerRef").class).toBe("reference");
    expect(listener(c, "el").triggers[0]?.plan.kind).toBe("broken");
  });
});

// ---------------------------------------------------------------------------------------------
// Every error of a load, together
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: every error of a load is reported", () => {
  it("reports three independent errors of one file as three issues", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - name: t
      interceptors:
        - ref:
            name: cel
          params:
            - name: filter
              value: "body.a =="
      bindingz: []
      template:
        ref: tt
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      data:
        a: $(tt.params.undeclared)
`;
    const c = await load({ "three.yaml": text });
    const errs = errorsOf(c);
    expect(errs.map((e) => e.loc.field).sort()).toEqual([
      "spec.resourcetemplates[0].data.a",
      "spec.triggers[0].bindingz",
      "spec.triggers[0].interceptors[0].params[0].value",
    ]);
    expect(errs.every((e) => e.class === "document" && e.loc.file === "three.yaml")).toBe(true);
    expect(errs.map((e) => e.loc.line).sort((a, b) => a - b)).toEqual(
      [
        at(text, '"body.a =="').line,
        at(text, "bindingz").line,
        at(text, "$(tt.params.undeclared)").line,
      ].sort((a, b) => a - b),
    );
  });

  it("reports errors from several files, each with its own file", async () => {
    const c = await load({
      "a.yaml": listenerWith("bindingz: []\ntemplate:\n  ref: tt"),
      "b.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
spec:
  params:
    - name: a
      value: 1
`,
      "c.yaml": "a: [\n",
    });
    expect(new Set(errorsOf(c).map((e) => e.loc.file))).toEqual(
      new Set(["a.yaml", "b.yaml", "c.yaml"]),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// CEL, template params, binding values
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: interceptor params are compiled at load", () => {
  it.each([
    { name: "double-quoted filter", value: `"body.action == 'opened' &&& true"`, quoteWidth: 1 },
    { name: "single-quoted filter", value: `'body.action == "opened" &&& true'`, quoteWidth: 1 },
    { name: "plain filter", value: `body.action == 'opened' &&& true`, quoteWidth: 0 },
  ])(
    "a bad CEL filter ($name) is a document error whose column points inside the expression",
    async ({ value, quoteWidth }) => {
      const text = listenerWith(`interceptors:
  - ref:
      name: cel
    params:
      - name: filter
        value: ${value}
template:
  ref: tt`);
      const c = await load({ "cel.yaml": text });
      const issue = issueAt(c, "spec.triggers[0].interceptors[0].params[0].value");
      expect(issue.class).toBe("document");
      const start = at(text, value);
      // The stray third `&` (offset 27 inside the expression) is what cannot be parsed.
      const offset = "body.action == 'opened' &&".length;
      expect(issue.loc).toMatchObject({
        file: "cel.yaml",
        line: start.line,
        column: start.column + quoteWidth + offset,
      });
      expect(issue.message).toContain("failed to parse expression");
      const t = listener(c, "el").triggers[0];
      expect(
        t?.plan.kind === "plan" ? t.plan.interceptors.map((s) => s.kind) : ["broken"],
      ).not.toContain("builtin");
    },
  );

  it("a bad overlay expression is located at overlays[i].expression, column inside it", async () => {
    const text = listenerWith(`interceptors:
  - ref:
      name: cel
    params:
      - name: overlays
        value:
          - key: ok
            expression: "body.a"
          - key: bad
            expression: "body.b +"
template:
  ref: tt`);
    const c = await load({ "cel.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]?.loc.field).toBe(
      "spec.triggers[0].interceptors[0].params[0].value[1].expression",
    );
    const start = at(text, '"body.b +"');
    expect(errs[0]?.loc.line).toBe(start.line);
    expect(errs[0]?.loc.column).toBeGreaterThan(start.column);
    expect(errs[0]?.loc.column).toBeLessThanOrEqual(start.column + '"body.b +"'.length);
  });

  it("an unknown github param is a document error", async () => {
    const text = listenerWith(`interceptors:
  - ref:
      name: github
    params:
      - name: secretRef
        value: {secretName: a, secretKey: b}
      - name: eventTypez
        value: [push]
template:
  ref: tt`);
    const c = await load({ "gh.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ class: "document", loc: { file: "gh.yaml" } });
    expect(errs[0]?.loc.field).toMatch(/^spec\.triggers\[0\]\.interceptors\[0\]\.params/);
  });
});

describe("loadConfigDir: TriggerTemplate params", () => {
  it("an undeclared $(tt.params.x) is a document error at the value using it", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: a
    - name: with.dot-and-dash
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: cm-$(tt.params.a)-$(tt.params.with.dot-and-dash)
      data:
        pipelines: $(params.x)
        x: "prefix $(tt.params.x) suffix"
`;
    const c = await load({ "tt.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({
      class: "document",
      loc: {
        file: "tt.yaml",
        line: at(text, "$(tt.params.x)").line,
        field: "spec.resourcetemplates[0].data.x",
      },
    });
    expect(errs[0]?.message).toContain("undeclared param '$(tt.params.x)'");
  });

  it("an undeclared param in a trigger's embedded template spec is a document error too", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: t
spec:
  template:
    spec:
      resourcetemplates:
        - apiVersion: v1
          kind: ConfigMap
          data:
            x: $(tt.params.nope)
`;
    const c = await load({ "t.yaml": text });
    const issue = issueAt(c, "spec.template.spec.resourcetemplates[0].data.x");
    expect(issue).toMatchObject({
      class: "document",
      loc: { line: at(text, "$(tt.params.nope)").line },
    });
  });

  it.each([
    { name: "no resourcetemplates", body: "params: [{name: a}]", field: "spec.resourcetemplates" },
    {
      name: "a resource template without kind",
      body: "resourcetemplates:\n    - apiVersion: v1",
      field: "spec.resourcetemplates[0].kind",
    },
    {
      name: "a resource template without apiVersion",
      body: "resourcetemplates:\n    - kind: ConfigMap",
      field: "spec.resourcetemplates[0].apiVersion",
    },
  ])("$name → document error at $field", async ({ body, field }) => {
    const c = await load({
      "tt.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  ${body}
`,
    });
    expect(issueAt(c, field).class).toBe("document");
  });
});

describe("loadConfigDir: binding values", () => {
  const unbalanced = "$(body.head_commit.id $(body.x)";
  const tbText = (name: string): string => `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: ${name}
spec:
  params:
    - name: ok
      value: $(body.a)
    - name: revision
      value: "${unbalanced}"
`;
  const cases = [
    {
      name: "a referenced TriggerBinding",
      files: {
        "tb.yaml": tbText("tb"),
        "el.yaml": listenerWith("bindings:\n  - ref: tb\ntemplate:\n  ref: tt"),
      },
      file: "tb.yaml",
      field: "spec.params[1].value",
    },
    {
      // Tekton's admission webhook checks every TriggerBinding, used or not (TEKTON-SPEC §1.3).
      name: "a TriggerBinding no trigger uses",
      files: { "tb.yaml": tbText("unused") },
      file: "tb.yaml",
      field: "spec.params[1].value",
    },
    {
      name: "an inline binding",
      files: {
        "el.yaml": listenerWith(
          `bindings:\n  - name: revision\n    value: "${unbalanced}"\ntemplate:\n  ref: tt`,
        ),
      },
      file: "el.yaml",
      field: "spec.triggers[0].bindings[0].value",
    },
  ];

  it.each(cases)(
    "an unbalanced $( in $name is a document error at $field",
    async ({ files, file, field }) => {
      const c = await load(files);
      const issue = issueAt(c, field);
      expect(issue).toMatchObject({ severity: "error", class: "document", loc: { file, field } });
      expect(hasDocumentErrors(c.issues)).toBe(true);
    },
  );

  it.each(cases)(
    "the unbalanced $( error in $name is positioned at the value",
    async ({ files, file, field }) => {
      const c = await load(files);
      const issue = issueAt(c, field);
      const text = (files as Record<string, string>)[file] ?? "";
      expect(issue.loc).toEqual({ file, ...at(text, `"${unbalanced}"`), field });
    },
  );

  it("a duplicate param name in one TriggerBinding is a document error", async () => {
    const c = await load({
      "tb.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
spec:
  params:
    - {name: a, value: x}
    - {name: a, value: y}
`,
    });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ class: "document", loc: { line: 8 } });
    expect(errs[0]?.message).toContain("expected exactly one, got both");
  });
});

// ---------------------------------------------------------------------------------------------
// v1alpha1
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: v1alpha1", () => {
  it("normalises inline github: and cel: interceptors to ref + params, compiled", async () => {
    const text = listenerWith(
      `interceptors:
  - github:
      secretRef:
        secretName: gh
        secretKey: token
      eventTypes: ["pull_request"]
  - cel:
      filter: "body.action == 'opened'"
      overlays:
        - key: short
          expression: "body.after.truncate(7)"
  - gitlab:
      eventTypes: ["Push Hook"]
  - bitbucket:
      eventTypes: ["repo:push"]
template:
  ref: tt`,
      "v1alpha1",
    );
    const c = await load({ "alpha.yaml": text });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    const steps = plan(listener(c, "el").triggers[0]).interceptors;
    expect(steps.map((s) => [s.kind, s.name])).toEqual([
      ["builtin", "github"],
      ["builtin", "cel"],
      ["builtin", "gitlab"],
      ["builtin", "bitbucket"],
    ]);
    const gh = (steps[0] as { params: GithubParams }).params;
    expect(gh).toMatchObject({
      secretRef: { secretName: "gh", secretKey: "token" },
      eventTypes: ["pull_request"],
    });
  });

  it("normalises legacy interceptors in a v1alpha1 Trigger too", async () => {
    const c = await load({
      "t.yaml": `apiVersion: triggers.tekton.dev/v1alpha1
kind: Trigger
metadata:
  name: legacy
  labels: {kind: legacy}
spec:
  interceptors:
    - cel:
        filter: "true"
  template:
    ref: tt
${TEMPLATE_STUB}`,
      "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - triggerRef: legacy
`,
    });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    expect(plan(listener(c, "el").triggers[0]).interceptors.map((s) => s.name)).toEqual(["cel"]);
  });

  it("a bad CEL filter in a legacy cel: interceptor points inside the expression", async () => {
    const expr = "body.action == 'opened' &&& true";
    const text = listenerWith(
      `interceptors:
  - cel:
      filter: "${expr}"
template:
  ref: tt`,
      "v1alpha1",
    );
    const c = await load({ "alpha.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    const start = at(text, `"${expr}"`);
    expect(errs[0]).toMatchObject({
      class: "document",
      loc: { line: start.line, column: start.column + 1 + "body.action == 'opened' &&".length },
    });
    expect(errs[0]?.loc.field).toMatch(/^spec\.triggers\[0\]\.interceptors\[0\]\.cel\.filter/);
  });

  it("a legacy cel: with neither filter nor overlays is a document error", async () => {
    const text = listenerWith("interceptors:\n  - cel: {}\ntemplate:\n  ref: tt", "v1alpha1");
    const c = await load({ "alpha.yaml": text });
    expect(errorsOf(c)).toHaveLength(1);
    expect(errorsOf(c)[0]?.class).toBe("document");
    expect(errorsOf(c)[0]?.loc.field).toMatch(/^spec\.triggers\[0\]\.interceptors\[0\]\.cel/);
  });

  it.each([
    { name: "triggerGroups", field: "spec.triggerGroups", extra: "  triggerGroups: []\n" },
    { name: "cloudEventURI", field: "spec.cloudEventURI", extra: "  cloudEventURI: http://sink\n" },
  ])("rejects the v1beta1-only EventListener field $name as unknown", async ({ field, extra }) => {
    const text = `apiVersion: triggers.tekton.dev/v1alpha1
kind: EventListener
metadata:
  name: el
spec:
${extra}  triggers:
    - template:
        ref: tt
${TEMPLATE_STUB}`;
    const c = await load({ "alpha.yaml": text });
    const issue = issueAt(c, field);
    expect(issue).toMatchObject({
      class: "document",
      loc: { file: "alpha.yaml", ...at(text, field.slice(5)) },
    });
  });

  it("v1beta1 rejects the legacy inline cel: interceptor as an unknown field", async () => {
    const text = listenerWith(
      "interceptors:\n  - cel:\n      filter: 'true'\ntemplate:\n  ref: tt",
    );
    const c = await load({ "beta.yaml": text });
    const issue = issueAt(c, "spec.triggers[0].interceptors[0].cel");
    expect(issue).toMatchObject({ class: "document", loc: at(text, "cel:") });
  });
});

// ---------------------------------------------------------------------------------------------
// Bindings: kind defaulting, invalid kind, ref + name
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: trigger bindings", () => {
  const bindingObjects = `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: shared
spec:
  params: [{name: from-tb, value: tb}]
---
apiVersion: triggers.tekton.dev/v1beta1
kind: ClusterTriggerBinding
metadata:
  name: shared
spec:
  params: [{name: from-ctb, value: ctb}]
`;

  it.each([
    { name: "kind omitted → TriggerBinding", binding: "- ref: shared", params: ["from-tb"] },
    {
      name: "kind: TriggerBinding",
      binding: "- ref: shared\n    kind: TriggerBinding",
      params: ["from-tb"],
    },
    {
      name: "kind: ClusterTriggerBinding",
      binding: "- ref: shared\n    kind: ClusterTriggerBinding",
      params: ["from-ctb"],
    },
  ])("$name", async ({ binding, params }) => {
    const c = await load({
      "b.yaml": bindingObjects,
      "el.yaml": listenerWith(`bindings:\n  ${binding}\ntemplate:\n  ref: tt`),
    });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    expect(plan(listener(c, "el").triggers[0]).bindings.map((b) => b.name)).toEqual(params);
  });

  it("an invalid binding kind is a document error at bindings[i].kind", async () => {
    const text = listenerWith(
      "bindings:\n  - ref: shared\n    kind: Binding\ntemplate:\n  ref: tt",
    );
    const c = await load({ "el.yaml": text });
    const issue = issueAt(c, "spec.triggers[0].bindings[0].kind");
    expect(issue).toMatchObject({
      class: "document",
      loc: { file: "el.yaml", ...at(text, "Binding\n") },
    });
    expect(issue.message).toContain("invalid value: invalid kind");
  });

  it("ref and name both set is a document error (expected exactly one, got both)", async () => {
    const text = listenerWith(
      "bindings:\n  - ref: shared\n    name: x\n    value: y\ntemplate:\n  ref: tt",
    );
    const c = await load({ "el.yaml": text, "b.yaml": bindingObjects });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({
      class: "document",
      loc: { file: "el.yaml", line: at(text, "- ref: shared").line },
    });
    expect(errs[0]?.loc.field).toMatch(/^spec\.triggers\[0\]\.bindings\[0\]/);
    expect(errs[0]?.message).toContain("expected exactly one, got both");
  });

  it("a name without value is a document error", async () => {
    const text = listenerWith("bindings:\n  - name: x\ntemplate:\n  ref: tt");
    const c = await load({ "el.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]?.class).toBe("document");
    expect(errs[0]?.loc.field).toMatch(/^spec\.triggers\[0\]\.bindings\[0\]/);
  });

  it("template ref and spec both set is a document error", async () => {
    const text = listenerWith(
      "template:\n  ref: tt\n  spec:\n    resourcetemplates: [{apiVersion: v1, kind: ConfigMap}]",
    );
    const c = await load({ "el.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ class: "document" });
    expect(errs[0]?.message).toContain("expected exactly one, got both");
    expect(errs[0]?.loc.field).toMatch(/^spec\.triggers\[0\]\.template/);
  });
});

// ---------------------------------------------------------------------------------------------
// Duplicates and namespaces
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: duplicates and namespaces", () => {
  const binding = (value: string, ns = ""): string => `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
${ns}spec:
  params: [{name: p, value: ${value}}]
`;

  it("the same (kind, namespace, name) in two files: the later file wins, with a warning naming both places", async () => {
    const c = await load({
      "a.yaml": binding("first"),
      "b.yaml": `# the replacement\n${binding("second", "  namespace: default\n")}`,
      "el.yaml": listenerWith("bindings:\n  - ref: tb\ntemplate:\n  ref: tt"),
    });
    expect(errorsOf(c)).toEqual([]);
    const warnings = c.issues.filter((i) => i.severity === "warning");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.loc).toMatchObject({ file: "b.yaml", line: 2 });
    expect(warnings[0]?.message).toContain("a.yaml:1:");
    expect(warnings[0]?.message).toContain("tb");
    expect(c.counts["TriggerBinding"]).toBe(1);
    expect(plan(listener(c, "el").triggers[0]).bindings.map((b) => b.value.source)).toEqual([
      "second",
    ]);
  });

  it("the same name in another namespace or of another kind is not a duplicate", async () => {
    const c = await load({
      "a.yaml": binding("first"),
      "b.yaml": binding("second", "  namespace: team-a\n"),
      "c.yaml": binding("third").replace("kind: TriggerBinding", "kind: ClusterTriggerBinding"),
    });
    expect(notNotes(c)).toEqual([]);
    expect(c.counts).toMatchObject({ TriggerBinding: 2, ClusterTriggerBinding: 1 });
  });

  it("objects without a namespace are in default", async () => {
    const c = await load({
      "el.yaml": listenerWith("bindings:\n  - ref: tb\ntemplate:\n  ref: tt"),
      "tb.yaml": binding("x", "  namespace: default\n"),
    });
    expect(notNotes(c)).toEqual([]);
    const l = listener(c, "el");
    expect(l.namespace).toBe("default");
    expect(l.triggers[0]?.id).toBe("namespaces/default/triggers/t");
    expect(plan(l.triggers[0]).bindings[0]?.from).toBe("TriggerBinding default/tb");
  });

  it("a binding in another namespace does not resolve for a listener in default", async () => {
    const c = await load({
      "el.yaml": listenerWith("bindings:\n  - ref: tb\ntemplate:\n  ref: tt"),
      "tb.yaml": binding("x", "  namespace: team-a\n"),
    });
    expect(issueAt(c, "spec.triggers[0].bindings[0].ref").class).toBe("reference");
  });
});

// ---------------------------------------------------------------------------------------------
// Selectors and trigger groups
// ---------------------------------------------------------------------------------------------

function triggerObject(
  name: string,
  ns: string | undefined,
  labels: Record<string, string>,
): string {
  const labelText =
    Object.keys(labels).length === 0
      ? ""
      : `  labels:\n${Object.entries(labels)
          .map(([k, v]) => `    ${k}: ${v}\n`)
          .join("")}`;
  return `---
apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: ${name}
${ns === undefined ? "" : `  namespace: ${ns}\n`}${labelText}spec:
  template:
    spec:
      resourcetemplates: [{apiVersion: v1, kind: ConfigMap}]
`;
}

const TRIGGERS = [
  triggerObject("a-web-fe", "team-a", { app: "web", tier: "fe" }),
  triggerObject("a-api", "team-a", { app: "api" }),
  triggerObject("b-web", "team-b", { app: "web" }),
  triggerObject("d-web", undefined, { app: "web" }),
  triggerObject("d-bare", "default", {}),
].join("");

describe("loadConfigDir: namespaceSelector and labelSelector select Trigger objects", () => {
  it.each([
    {
      name: "labelSelector matchLabels only → the listener's namespace",
      spec: "labelSelector:\n    matchLabels:\n      app: web",
      selected: ["d-web"],
    },
    {
      name: "namespaceSelector only → every Trigger in those namespaces",
      spec: "namespaceSelector:\n    matchNames: [team-a]",
      selected: ["a-api", "a-web-fe"],
    },
    {
      name: "both, with matchExpressions In",
      spec: "namespaceSelector:\n    matchNames: [team-a, team-b]\n  labelSelector:\n    matchExpressions:\n      - {key: app, operator: In, values: [web]}",
      selected: ["a-web-fe", "b-web"],
    },
    {
      name: "all namespaces (*) with Exists and DoesNotExist",
      spec: 'namespaceSelector:\n    matchNames: ["*"]\n  labelSelector:\n    matchExpressions:\n      - {key: app, operator: Exists}\n      - {key: tier, operator: DoesNotExist}',
      selected: ["a-api", "b-web", "d-web"],
    },
    {
      name: "NotIn matches Triggers without the label",
      spec: 'namespaceSelector:\n    matchNames: ["*"]\n  labelSelector:\n    matchExpressions:\n      - {key: app, operator: NotIn, values: [web]}',
      selected: ["a-api", "d-bare"],
    },
    {
      name: "matchLabels and matchExpressions together",
      spec: 'namespaceSelector:\n    matchNames: ["*"]\n  labelSelector:\n    matchLabels: {app: web}\n    matchExpressions:\n      - {key: tier, operator: In, values: [fe, be]}',
      selected: ["a-web-fe"],
    },
  ])("$name", async ({ spec, selected }) => {
    const c = await load({
      "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  ${spec}
`,
      "triggers.yaml": TRIGGERS,
    });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    const triggers = listener(c, "el").triggers;
    expect(triggers.map((t) => t.name).sort()).toEqual(selected);
    for (const t of triggers) {
      expect(t.via).toBe("selector");
      expect(t.id).toBe(`namespaces/${t.namespace}/triggers/${t.name}`);
      expect(t.plan.kind).toBe("plan");
    }
  });

  it("an invalid matchExpressions operator is a document error", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  labelSelector:
    matchExpressions:
      - {key: app, operator: Equals, values: [web]}
`;
    const c = await load({ "el.yaml": text });
    const issue = issueAt(c, "spec.labelSelector.matchExpressions[0].operator");
    expect(issue).toMatchObject({ class: "document", loc: at(text, "Equals") });
  });

  it("an EventListener with neither triggers nor selectors is a document error", async () => {
    const c = await load({
      "el.yaml":
        "apiVersion: triggers.tekton.dev/v1beta1\nkind: EventListener\nmetadata: {name: el}\nspec: {}\n",
    });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]?.message).toContain("expected exactly one, got neither");
  });
});

describe("loadConfigDir: triggerGroups", () => {
  it("selects Triggers with the group's labelSelector and compiles the group's interceptors", async () => {
    const c = await load({
      "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggerGroups:
    - name: github-group
      interceptors:
        - ref:
            name: cel
          params:
            - name: filter
              value: "header.match('X-GitHub-Event', 'push')"
      triggerSelector:
        labelSelector:
          matchLabels:
            app: web
`,
      "triggers.yaml": TRIGGERS,
    });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    const l = listener(c, "el");
    expect(l.triggers).toEqual([]);
    expect(l.groups).toHaveLength(1);
    const g = l.groups[0];
    expect(g?.name).toBe("github-group");
    expect(g?.id).toBe("namespaces/default/triggerGroups/github-group");
    expect(g?.interceptors.map((s) => [s.kind, s.name])).toEqual([["builtin", "cel"]]);
    // labelSelector only → the listener's namespace.
    expect(g?.triggers.map((t) => [t.name, t.via])).toEqual([["d-web", "group"]]);
  });

  it("a group with a namespaceSelector selects across namespaces", async () => {
    const c = await load({
      "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggerGroups:
    - name: g
      interceptors:
        - ref: {name: cel}
          params: [{name: filter, value: "true"}]
      triggerSelector:
        namespaceSelector: {matchNames: [team-a, team-b]}
        labelSelector: {matchLabels: {app: web}}
`,
      "triggers.yaml": TRIGGERS,
    });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    expect(
      listener(c, "el")
        .groups[0]?.triggers.map((t) => t.name)
        .sort(),
    ).toEqual(["a-web-fe", "b-web"]);
  });

  it("a group without a triggerSelector is a document error", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggerGroups:
    - name: g
      interceptors:
        - ref: {name: cel}
          params: [{name: filter, value: "true"}]
`;
    const c = await load({ "el.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ class: "document" });
    expect(errs[0]?.loc.field).toMatch(/^spec\.triggerGroups\[0\]/);
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: Secrets", () => {
  const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

  it("decodes data (base64) and stringData, stringData winning for the same key", async () => {
    const c = await load({
      "secret.yaml": `apiVersion: v1
kind: Secret
metadata:
  name: gh
type: Opaque
data:
  token: ${b64("from-data")}
  only-data: ${b64("only-in-data")}
stringData:
  token: from-string-data
  only-string: plain
`,
    });
    expect(notNotes(c)).toEqual([]);
    const s = c.secrets.get("default/gh");
    expect(s).toBeDefined();
    expect(s?.["token"]?.toString("utf8")).toBe("from-string-data");
    expect(s?.["only-data"]?.toString("utf8")).toBe("only-in-data");
    expect(s?.["only-string"]?.toString("utf8")).toBe("plain");
    expect(c.counts["Secret"]).toBe(1);
  });

  it("a Secret in another namespace is keyed by that namespace", async () => {
    const c = await load({
      "secret.yaml":
        "apiVersion: v1\nkind: Secret\nmetadata: {name: gh, namespace: team-a}\nstringData: {k: v}\n",
    });
    expect([...c.secrets.keys()]).toEqual(["team-a/gh"]);
  });

  it("an invalid base64 value is a document error that never shows the value", async () => {
    const secretValue = "Sup3r$ecret!value";
    const text = `apiVersion: v1
kind: Secret
metadata:
  name: gh
data:
  good: ${b64("fine")}
  token: "${secretValue}"
stringData:
  other: another-hidden-value
`;
    const c = await load({ "secret.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]?.class).toBe("document");
    expect(errs[0]?.loc.file).toBe("secret.yaml");
    expect(errs[0]?.loc.field).toMatch(/data\[token\]$/);
    const everything = [...c.issues.map(formatIssue), JSON.stringify(c.issues)].join("\n");
    expect(everything).not.toContain(secretValue);
    expect(everything).not.toContain("another-hidden-value");
    expect(everything).not.toContain(b64("fine"));
  });

  it("an invalid base64 value is positioned at its own key, not at the first key of data", async () => {
    const text = `apiVersion: v1
kind: Secret
metadata:
  name: gh
data:
  good: ${b64("fine")}
  token: "not base64!"
`;
    const c = await load({ "secret.yaml": text });
    const errs = errorsOf(c);
    expect(errs).toHaveLength(1);
    expect(errs[0]?.loc.line).toBe(at(text, "token:").line);
  });

  it.each([
    { name: "a secret value of the wrong type", body: "stringData:\n  token: [Sup3r$ecret!value]" },
    {
      name: "an unknown field next to the secret",
      body: "stringData:\n  token: Sup3r$ecret!value\nstringdta:\n  x: Sup3r$ecret!value",
    },
    { name: "a YAML error on the secret's line", body: 'stringData:\n  token: "Sup3r$ecret!value' },
  ])("$name: no issue text contains the value", async ({ body }) => {
    const c = await load({
      "secret.yaml": `apiVersion: v1\nkind: Secret\nmetadata:\n  name: gh\n${body}\n`,
    });
    expect(errorsOf(c).length).toBeGreaterThanOrEqual(1);
    const everything = [...c.issues.map(formatIssue), JSON.stringify(c.issues)].join("\n");
    expect(everything).not.toContain("Sup3r$ecret!value");
  });
});

// ---------------------------------------------------------------------------------------------
// EventListener annotations
// ---------------------------------------------------------------------------------------------

describe("loadConfigDir: EventListener annotations", () => {
  const el = (annotations: string): string => `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
  annotations:
${annotations}
spec:
  triggers:
    - template:
        ref: tt
${TEMPLATE_STUB}`;

  it.each([
    {
      name: "no annotations",
      annotations: "    other: x",
      payloadValidation: true,
      reply: "honest",
    },
    {
      name: 'payload-validation "false"',
      annotations: '    tekton.dev/payload-validation: "false"',
      payloadValidation: false,
      reply: "honest",
    },
    {
      name: 'payload-validation "true"',
      annotations: '    tekton.dev/payload-validation: "true"',
      payloadValidation: true,
      reply: "honest",
    },
    {
      name: "reply tekton",
      annotations: "    hookline.dev/reply: tekton",
      payloadValidation: true,
      reply: "tekton",
    },
    {
      name: "reply honest",
      annotations: "    hookline.dev/reply: honest",
      payloadValidation: true,
      reply: "honest",
    },
    {
      name: "both",
      annotations: '    tekton.dev/payload-validation: "false"\n    hookline.dev/reply: tekton',
      payloadValidation: false,
      reply: "tekton",
    },
  ])("$name", async ({ annotations, payloadValidation, reply }) => {
    const c = await load({ "el.yaml": el(annotations) });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    expect(listener(c, "el")).toMatchObject({ payloadValidation, reply });
  });

  it.each([
    { name: "neither", annotations: "    other: x", keepQuery: false, headers: [] },
    {
      name: "keep-query and redact-headers",
      annotations:
        '    hookline.dev/keep-query: "true"\n    hookline.dev/redact-headers: "x-hook-key, X-OTHER ,"',
      keepQuery: true,
      headers: ["X-Hook-Key", "X-Other"],
    },
  ])("redaction annotations: $name", async ({ annotations, keepQuery, headers }) => {
    const c = await load({ "el.yaml": el(annotations) });
    expect(notNotes(c).map(formatIssue)).toEqual([]);
    const l = listener(c, "el");
    expect(l.keepQuery).toBe(keepQuery);
    expect([...(l.redactHeaders ?? [])]).toEqual(headers);
  });

  it.each([
    { name: "payload-validation no", key: "tekton.dev/payload-validation", value: '"no"' },
    { name: "payload-validation False", key: "tekton.dev/payload-validation", value: '"False"' },
    { name: "reply always", key: "hookline.dev/reply", value: "always" },
    { name: "keep-query yes", key: "hookline.dev/keep-query", value: '"yes"' },
  ])("an invalid value ($name) is a document error at that annotation", async ({ key, value }) => {
    const text = el(`    ${key}: ${value}`);
    const c = await load({ "el.yaml": text });
    const issue = issueAt(c, `metadata.annotations[${key}]`);
    expect(issue).toMatchObject({ severity: "error", class: "document", loc: { file: "el.yaml" } });
    expect(hasDocumentErrors(c.issues)).toBe(true);
  });

  it("an invalid annotation value is positioned at the annotation", async () => {
    const text = el('    team: x\n    tekton.dev/payload-validation: "no"');
    const c = await load({ "el.yaml": text });
    const issue = issueAt(c, "metadata.annotations[tekton.dev/payload-validation]");
    expect(issue.loc.line).toBe(at(text, "tekton.dev/payload-validation").line);
  });
});

// ---------------------------------------------------------------------------------------------
// decodeConfigText and the missing directory
// ---------------------------------------------------------------------------------------------

describe("decodeConfigText", () => {
  it("decodes one file's text into the shared result, naming the given file", () => {
    const out: DecodedConfig = {
      objects: [],
      compiled: new WeakMap(),
      builtinNames: new Set(),
      issues: [],
    };
    const registry = createBuiltinRegistry();
    decodeConfigText(VALID_SET["bindings.yaml"], "x/bindings.yaml", registry, out);
    decodeConfigText(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nbogus: 1\n",
      "x/secret.yaml",
      registry,
      out,
    );
    expect(out.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "TriggerBinding/push-binding",
      "ClusterTriggerBinding/cluster-binding",
      "Secret/s",
    ]);
    expect(out.issues).toHaveLength(1);
    expect(out.issues[0]?.loc).toEqual({
      file: "x/secret.yaml",
      line: 4,
      column: 1,
      field: "bogus",
    });
  });
});

describe("loadConfigDir: the directory itself", () => {
  it("a missing directory is a document error, not a throw", async () => {
    const c = await loadConfigDir("/nonexistent/hookline-config", {
      registry: createBuiltinRegistry(),
      relativeTo: "/",
    });
    expect(hasDocumentErrors(c.issues)).toBe(true);
    expect(c.listeners).toEqual([]);
    expect(formatIssue(errorsOf(c)[0] as ConfigIssue)).toContain("nonexistent/hookline-config");
  });

  it("ignores files with other extensions and hidden files", async () => {
    const c = await load({
      "notes.txt": "not: [yaml",
      ".hidden.yaml": "a: [",
      "sub/tt.yml": VALID_SET["template.yaml"],
    });
    expect(notNotes(c)).toEqual([]);
    expect(c.counts["TriggerTemplate"]).toBe(1);
  });
});
