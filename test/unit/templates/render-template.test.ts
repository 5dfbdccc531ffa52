import { describe, expect, it } from "vitest";
import { compileTemplate, OLD_ESCAPE_QUOTES } from "../../../src/templates/compile-template.js";
import { renderTemplate } from "../../../src/templates/render-template.js";

const loc = { file: "t.yaml", line: 1, column: 1, field: "" };
const input = (params: Record<string, string>) => ({
  params: new Map(Object.entries(params)),
  uid: "11111111-2222-4333-8444-555555555555",
  eventId: "ev",
  eventListener: "el",
  trigger: "tr",
  namespace: "team",
});

describe("renderTemplate", () => {
  it.each([
    {
      name: "plain substitution",
      text: "rev-$(tt.params.rev)",
      params: { rev: "abc" },
      want: "rev-abc",
    },
    {
      name: "several placeholders",
      text: "$(tt.params.a)/$(tt.params.b)",
      params: { a: "x", b: "y" },
      want: "x/y",
    },
    {
      name: "dots and dashes in names",
      text: "$(tt.params.git.sha-1)",
      params: { "git.sha-1": "s" },
      want: "s",
    },
    {
      name: "undeclared-at-runtime stays literal",
      text: "$(tt.params.none)",
      params: {},
      want: "$(tt.params.none)",
    },
    {
      name: "Pipelines variables untouched",
      text: "$(params.x) $(context.pipelineRun.name)",
      params: {},
      want: "$(params.x) $(context.pipelineRun.name)",
    },
    {
      name: "$( in a value is escaped",
      text: "$(tt.params.msg)",
      params: { msg: "$(tasks.a.results.b)" },
      want: "$$(tasks.a.results.b)",
    },
    {
      name: "a value reading $(uid) is not substituted again",
      text: "$(tt.params.msg)",
      params: { msg: "$(uid)" },
      want: "$$(uid)",
    },
    {
      name: "quotes, newlines and braces stay inside the string",
      text: "m: $(tt.params.msg)",
      params: { msg: '"}, "evil": {"a\n' },
      want: 'm: "}, "evil": {"a\n',
    },
    {
      name: "uid",
      text: "run-$(uid)",
      params: {},
      want: "run-11111111-2222-4333-8444-555555555555",
    },
  ])("$name", ({ text, params, want }) => {
    const t = compileTemplate(
      {
        params: [],
        resourcetemplates: [
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { v: text } },
        ],
        loc,
      },
      {},
    );
    const [r] = renderTemplate(t, input(params));
    expect((r?.body["data"] as Record<string, string>)["v"]).toBe(want);
    expect(Object.keys(r?.body["data"] as object)).toEqual(["v"]);
  });

  it("adds Tekton's labels over the template's, sets the trigger's namespace, keeps the resource's own", () => {
    const t = compileTemplate(
      {
        params: [],
        resourcetemplates: [
          {
            apiVersion: "tekton.dev/v1",
            kind: "PipelineRun",
            metadata: {
              generateName: "r-",
              labels: { keep: "me", "triggers.tekton.dev/trigger": "x" },
            },
          },
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "elsewhere" } },
        ],
        loc,
      },
      {},
    );
    const [run, cm] = renderTemplate(t, input({}));
    expect(run?.namespace).toBe("team");
    expect(run?.name).toBeUndefined();
    expect(run?.generateName).toBe("r-");
    expect((run?.body["metadata"] as { labels: unknown }).labels).toEqual({
      keep: "me",
      "triggers.tekton.dev/eventlistener": "el",
      "triggers.tekton.dev/trigger": "tr",
      "triggers.tekton.dev/triggers-eventid": "ev",
    });
    expect(cm?.namespace).toBe("elsewhere");
  });

  it("does not let one render change the compiled template or another render", () => {
    const t = compileTemplate(
      {
        params: [],
        resourcetemplates: [
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { a: "b" } } },
        ],
        loc,
      },
      {},
    );
    const first = renderTemplate(t, input({}));
    const second = renderTemplate({ ...t }, { ...input({}), eventId: "other" });
    expect(
      (first[0]?.body["metadata"] as { labels: Record<string, string> }).labels[
        "triggers.tekton.dev/triggers-eventid"
      ],
    ).toBe("ev");
    expect(
      (second[0]?.body["metadata"] as { labels: Record<string, string> }).labels[
        "triggers.tekton.dev/triggers-eventid"
      ],
    ).toBe("other");
  });

  it("notes the old-escape-quotes annotation", () => {
    const spec = { params: [], resourcetemplates: [{ apiVersion: "v1", kind: "ConfigMap" }], loc };
    expect(compileTemplate(spec, { [OLD_ESCAPE_QUOTES]: "" }).oldEscapeQuotes).toBe(true);
    expect(compileTemplate(spec, {}).oldEscapeQuotes).toBe(false);
  });
});
