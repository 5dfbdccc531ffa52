import { describe, expect, it } from "vitest";
import { formatIssue } from "../../../src/config/issues.js";
import { compileConfigText } from "../../support/compile-config-text.js";

/** A TriggerTemplate with one resource whose annotations are `annotations` (YAML lines). */
function template(
  annotations: string,
  head = "apiVersion: tekton.dev/v1\n      kind: PipelineRun",
): string {
  return `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: repo
    - name: pr
    - name: kind
  resourcetemplates:
    - ${head}
      metadata:
        generateName: run-
        annotations:
${annotations
  .split("\n")
  .map((l) => `          ${l}`)
  .join("\n")}
      spec:
        pipelineRef:
          name: ci
`;
}

function errors(text: string): string[] {
  return compileConfigText(text)
    .issues.filter((i) => i.severity === "error")
    .map(formatIssue);
}

/** `config.yaml:LINE:COL` of the first occurrence of `needle`. */
function at(text: string, needle: string): string {
  const idx = text.indexOf(needle);
  if (idx < 0) throw new Error(`test bug: ${needle} not in text`);
  const before = text.slice(0, idx);
  return `config.yaml:${before.split("\n").length}:${idx - before.lastIndexOf("\n")}`;
}

const ANN = "spec.resourcetemplates[0].metadata.annotations";

describe("concurrency annotations at load", () => {
  it.each([
    {
      name: "a group and cancel-in-progress on a PipelineRun",
      lines:
        'hookline.dev/concurrency-group: "$(tt.params.repo)#$(tt.params.pr)"\nhookline.dev/concurrency: cancel-in-progress',
    },
    { name: "a group alone (queue-latest)", lines: "hookline.dev/concurrency-group: deploy" },
    {
      name: "queue with max-running and max-keep-runs",
      lines:
        'hookline.dev/concurrency-group: deploy\nhookline.dev/concurrency: queue\nhookline.dev/max-running: "2"\nhookline.dev/max-keep-runs: "5"',
    },
    {
      name: "max-running with the default strategy",
      lines: 'hookline.dev/concurrency-group: deploy\nhookline.dev/max-running: "3"',
    },
    {
      name: "a strategy from a param (checked once rendered)",
      lines: "hookline.dev/concurrency-group: deploy\nhookline.dev/concurrency: $(tt.params.kind)",
    },
    {
      name: "a max-running from a param",
      lines: 'hookline.dev/concurrency-group: deploy\nhookline.dev/max-running: "$(tt.params.pr)"',
    },
  ])("loads $name", ({ lines }) => {
    expect(errors(template(lines))).toEqual([]);
  });

  it("loads a TaskRun of tekton.dev/v1beta1 with a group", () => {
    const text = template(
      "hookline.dev/concurrency-group: x\nhookline.dev/concurrency: cancel-in-progress",
      "apiVersion: tekton.dev/v1beta1\n      kind: TaskRun",
    );
    expect(errors(text)).toEqual([]);
  });

  it("refuses an unknown strategy at its value, with a suggestion", () => {
    const text = template(
      "hookline.dev/concurrency-group: x\nhookline.dev/concurrency: cancel-in-progres",
    );
    expect(errors(text)).toEqual([
      `${at(text, "cancel-in-progres\n")} ${ANN}[hookline.dev/concurrency]: unknown strategy "cancel-in-progres" (did you mean "cancel-in-progress"?): it must be one of cancel-in-progress, cancel-in-progress-gracefully, queue, queue-latest`,
    ]);
  });

  it.each([
    { name: "zero", value: '"0"' },
    { name: "negative", value: '"-1"' },
    { name: "a fraction", value: '"1.5"' },
    { name: "a word", value: "two" },
    { name: "a leading zero", value: '"01"' },
  ])("refuses a max-running that is $name", ({ value }) => {
    const text = template(
      `hookline.dev/concurrency-group: x\nhookline.dev/concurrency: queue\nhookline.dev/max-running: ${value}`,
    );
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      new RegExp(
        `^${at(text, `${value}\n`)} ${ANN.replace(/[.[\]]/g, "\\$&")}\\[hookline.dev/max-running\\]: must be a positive whole number`,
      ),
    );
  });

  it("refuses a max-keep-runs that is not a positive whole number", () => {
    const text = template('hookline.dev/concurrency-group: x\nhookline.dev/max-keep-runs: "0"');
    expect(errors(text)).toEqual([
      `${at(text, '"0"')} ${ANN}[hookline.dev/max-keep-runs]: must be a positive whole number such as "1", got "0"`,
    ]);
  });

  it("refuses a number written unquoted (annotations are strings)", () => {
    const text = template("hookline.dev/concurrency-group: x\nhookline.dev/max-keep-runs: 3");
    expect(errors(text)).toEqual([
      `${at(text, "3\n")} ${ANN}[hookline.dev/max-keep-runs]: must be a string (quote it: "3")`,
    ]);
  });

  it("refuses a strategy, max-running or max-keep-runs without a group", () => {
    const text = template(
      'hookline.dev/concurrency: queue\nhookline.dev/max-running: "2"\nhookline.dev/max-keep-runs: "3"',
    );
    const needs = (a: string): string =>
      `${ANN}[${a}]: ${a} needs hookline.dev/concurrency-group: the group of runs it applies to`;
    expect(errors(text)).toEqual([
      `${at(text, "queue")} ${needs("hookline.dev/concurrency")}`,
      `${at(text, '"2"')} ${needs("hookline.dev/max-running")}`,
      `${at(text, '"3"')} ${needs("hookline.dev/max-keep-runs")}`,
    ]);
  });

  it("refuses max-running with a cancel strategy", () => {
    const text = template(
      'hookline.dev/concurrency-group: x\nhookline.dev/concurrency: cancel-in-progress\nhookline.dev/max-running: "2"',
    );
    expect(errors(text)).toEqual([
      `${at(text, '"2"')} ${ANN}[hookline.dev/max-running]: hookline.dev/max-running limits a queue: it goes with hookline.dev/concurrency: queue or queue-latest, not cancel-in-progress`,
    ]);
  });

  it.each([
    { name: "a ConfigMap", head: "apiVersion: v1\n      kind: ConfigMap" },
    {
      name: "a PipelineRun of another group",
      head: "apiVersion: example.com/v1\n      kind: PipelineRun",
    },
    { name: "a Pipeline", head: "apiVersion: tekton.dev/v1\n      kind: Pipeline" },
  ])("refuses the annotations on $name", ({ head }) => {
    const text = template("hookline.dev/concurrency-group: x", head);
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(
      `${at(text, "x\n")} ${ANN}[hookline.dev/concurrency-group]: concurrency annotations are only for Tekton's PipelineRun and TaskRun`,
    );
  });

  it("refuses cancel-in-progress-gracefully on a TaskRun", () => {
    const text = template(
      "hookline.dev/concurrency-group: x\nhookline.dev/concurrency: cancel-in-progress-gracefully",
      "apiVersion: tekton.dev/v1\n      kind: TaskRun",
    );
    expect(errors(text)).toEqual([
      `${at(text, "cancel-in-progress-gracefully")} ${ANN}[hookline.dev/concurrency]: a TaskRun has no finally tasks: use cancel-in-progress (cancel-in-progress-gracefully is for PipelineRuns)`,
    ]);
  });

  it("refuses an empty group", () => {
    const text = template('hookline.dev/concurrency-group: ""');
    expect(errors(text)).toEqual([
      `${at(text, '""')} ${ANN}[hookline.dev/concurrency-group]: the group must not be empty`,
    ]);
  });

  it("refuses two grouped resources in one template, at the second", () => {
    const one = `    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: a-
        annotations:
          hookline.dev/concurrency-group: GROUP
`;
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  resourcetemplates:
${one.replace("GROUP", "first")}${one.replace("GROUP", "second")}`;
    expect(errors(text)).toEqual([
      `${at(text, "second")} spec.resourcetemplates[1].metadata.annotations[hookline.dev/concurrency-group]: spec.resourcetemplates[0] already has a concurrency group: a trigger's run has one group, so only one resource of a template may carry hookline.dev/concurrency-group`,
    ]);
  });

  it("checks an inline trigger's template too", () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: t
spec:
  bindings: []
  template:
    spec:
      resourcetemplates:
        - apiVersion: tekton.dev/v1
          kind: PipelineRun
          metadata:
            generateName: a-
            annotations:
              hookline.dev/concurrency-group: g
              hookline.dev/concurrency: bogus
`;
    expect(errors(text)).toEqual([
      `${at(text, "bogus")} spec.template.spec.resourcetemplates[0].metadata.annotations[hookline.dev/concurrency]: unknown strategy "bogus": it must be one of cancel-in-progress, cancel-in-progress-gracefully, queue, queue-latest`,
    ]);
  });
});
