import { describe, expect, it } from "vitest";
import type { EventDecision } from "../../../src/listener/types.js";
import { planRuns } from "../../../src/listener/plan-runs.js";
import { compileTemplate } from "../../../src/templates/compile-template.js";
import { renderTemplate } from "../../../src/templates/render-template.js";

const SPEC = {
  params: [{ name: "app" }, { name: "rev" }],
  loc: { file: "t.yaml", line: 1, column: 1, field: "" },
  resourcetemplates: [
    {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: { generateName: "build-" },
      spec: { params: [{ name: "rev", value: "$(tt.params.rev)" }] },
    },
    {
      apiVersion: "hookline.dev/v1alpha1",
      kind: "Patch",
      spec: {
        target: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          name: "$(tt.params.app)",
        },
        patch: { metadata: { annotations: { "argocd.argoproj.io/refresh": "normal" } } },
      },
    },
    {
      apiVersion: "hookline.dev/v1alpha1",
      kind: "Patch",
      spec: {
        target: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "prod" },
        type: "json",
        patch: [{ op: "replace", path: "/metadata/annotations/rev", value: "$(tt.params.rev)" }],
      },
    },
  ],
};

function decide(): EventDecision {
  const template = compileTemplate(SPEC, {});
  const resources = renderTemplate(template, {
    params: new Map([
      ["app", "web"],
      ["rev", "abc123"],
    ]),
    uid: "u-1",
    eventId: "ev-1",
    eventListener: "el",
    trigger: "push",
    namespace: "ci",
  });
  return {
    listener: { name: "el", namespace: "ci", uid: "uid" },
    unauthenticated: false,
    authenticated: false,
    notApplicable: [],
    triggers: [
      {
        trigger: "push",
        namespace: "ci",
        triggerId: "ci/el/push",
        via: "inline",
        interceptors: [],
        extensions: {},
        params: [],
        outcome: { kind: "fired", resources },
        durationMs: 0,
      },
    ],
  };
}

describe("planning a trigger with Patch entries", () => {
  it("plans each Patch as a patch delivery in template order, params rendered, namespace defaulted", () => {
    const decision = decide();
    const [run] = planRuns(decision, "ev-1", new Map([["ci/el/push", "deployer"]]), new Date(0));
    expect(run?.serviceAccountName).toBe("deployer");
    expect(run?.deliveries.map((d) => d.kind)).toEqual(["resource", "patch", "patch"]);
    expect(run?.deliveries[1]).toEqual({
      kind: "patch",
      seq: 1,
      deliveryKey: "ev-1.0.1",
      patch: {
        target: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          name: "web",
          namespace: "ci",
        },
        type: "merge",
        patch: { metadata: { annotations: { "argocd.argoproj.io/refresh": "normal" } } },
      },
    });
    expect(run?.deliveries[2]).toMatchObject({
      kind: "patch",
      deliveryKey: "ev-1.0.2",
      patch: {
        target: { kind: "Deployment", name: "web", namespace: "prod" },
        type: "json",
        patch: [{ op: "replace", path: "/metadata/annotations/rev", value: "abc123" }],
      },
    });
  });

  it("labels the resources it creates, never a Patch entry (which creates nothing)", () => {
    const decision = decide();
    planRuns(decision, "ev-1", new Map(), new Date(0));
    const outcome = decision.triggers[0]?.outcome;
    if (outcome?.kind !== "fired") throw new Error("test bug: not fired");
    const [created, patch] = outcome.resources;
    expect(created?.body["metadata"]).toMatchObject({
      labels: { "hookline.dev/delivery-key": "ev-1.0.0" },
    });
    expect(patch?.body["metadata"]).toBeUndefined();
    expect(patch?.kind).toBe("Patch");
  });
});
