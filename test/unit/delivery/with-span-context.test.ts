import { describe, expect, it } from "vitest";
import { withSpanContext } from "../../../src/delivery/with-span-context.js";
import type { RenderedResource } from "../../../src/templates/types.js";

const CARRIER = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

function resource(apiVersion: string, kind: string, annotations?: Record<string, string>) {
  return {
    apiVersion,
    kind,
    namespace: "ci",
    name: undefined,
    generateName: "run-",
    body: {
      apiVersion,
      kind,
      metadata: {
        generateName: "run-",
        labels: { a: "b" },
        ...(annotations ? { annotations } : {}),
      },
      spec: {},
    },
  } satisfies RenderedResource;
}

describe("withSpanContext", () => {
  it.each([
    { name: "a PipelineRun", kind: "PipelineRun", key: "tekton.dev/pipelinerunSpanContext" },
    { name: "a TaskRun", kind: "TaskRun", key: "tekton.dev/taskrunSpanContext" },
  ])("gives $name the carrier as JSON, keeping its other metadata", ({ kind, key }) => {
    const r = resource("tekton.dev/v1", kind, { team: "x" });
    const out = withSpanContext(r, CARRIER);
    expect(out.body["metadata"]).toEqual({
      generateName: "run-",
      labels: { a: "b" },
      annotations: { team: "x", [key]: JSON.stringify(CARRIER) },
    });
    // The rendered resource (what the journal keeps) is not changed.
    expect(r.body.metadata).toEqual({
      generateName: "run-",
      labels: { a: "b" },
      annotations: { team: "x" },
    });
  });

  it.each([
    {
      name: "the template set the annotation",
      r: resource("tekton.dev/v1", "PipelineRun", {
        "tekton.dev/pipelinerunSpanContext": '{"traceparent":"00-mine"}',
      }),
    },
    { name: "another kind", r: resource("v1", "ConfigMap") },
    { name: "a PipelineRun of another group", r: resource("example.com/v1", "PipelineRun") },
  ])("leaves the resource as it is when $name", ({ r }) => {
    expect(withSpanContext(r, CARRIER)).toBe(r);
  });
});
