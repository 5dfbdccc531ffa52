import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { groupNamespaces } from "../../../src/concurrency/group-namespaces.js";
import { createNamespacedGroupRunStore } from "../../../src/concurrency/namespaced-group-run-store.js";
import type { GroupAddress, GroupRunStore } from "../../../src/concurrency/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { compileConfigText } from "../../support/compile-config-text.js";
import { ROOT } from "../../support/fixtures.js";

const listener = (ns: string, triggers: string): string => `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: l-${ns}
  namespace: ${ns}
spec:
  triggers:
${triggers}`;

const trigger = (name: string, metadata: string): string => `    - name: ${name}
      template:
        spec:
          resourcetemplates:
            - apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata:
${metadata}
              spec:
                pipelineRef:
                  name: build
`;

describe("groupNamespaces", () => {
  it("is the namespaces of the triggers whose templates declare a group", () => {
    const config = compileConfigText(
      [
        listener(
          "ci",
          trigger(
            "grouped",
            `                generateName: pr-
                annotations:
                  hookline.dev/concurrency-group: "pr"`,
          ) + trigger("plain", "                generateName: plain-"),
        ),
        listener(
          "other",
          trigger(
            "elsewhere",
            `                generateName: d-
                namespace: deploys
                annotations:
                  hookline.dev/concurrency-group: "d"
                  hookline.dev/concurrency: queue`,
          ),
        ),
        listener("plain", trigger("none", "                generateName: x-")),
      ].join("---\n"),
    );
    expect(config.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(groupNamespaces(config)).toEqual(["ci", "deploys"]);
  });

  it("is ci for examples/concurrency and empty for the Tekton example", async () => {
    const text = await readFile(
      join(ROOT, "examples", "concurrency", "eventlistener.yaml"),
      "utf8",
    );
    expect(groupNamespaces(compileConfigText(text))).toEqual(["ci"]);
    const files = ["eventlistener.yaml", "triggerbinding.yaml", "triggertemplate.yaml"];
    const plain = await Promise.all(
      files.map((f) => readFile(join(ROOT, "examples", "config", f), "utf8")),
    );
    const tekton = compileConfigText(plain.join("\n---\n"));
    expect(tekton.listeners[0]?.triggers.every((t) => t.plan.kind === "plan")).toBe(true);
    expect(groupNamespaces(tekton)).toEqual([]);
  });
});

describe("createNamespacedGroupRunStore", () => {
  it("makes no store without namespaces, and restarts the watch when they change", async () => {
    const made: string[][] = [];
    const watches: { namespaces: string[]; stopped: boolean }[] = [];
    const create = (namespaces: readonly string[]): GroupRunStore => {
      made.push([...namespaces]);
      return {
        list: () => Promise.resolve([]),
        delete: () => Promise.resolve(),
        watch() {
          const w = { namespaces: [...namespaces], stopped: false };
          watches.push(w);
          return { stop: () => Promise.resolve(void (w.stopped = true)) };
        },
      };
    };
    const store = createNamespacedGroupRunStore({
      namespaces: [],
      create,
      log: createCapturingLogger().log,
    });
    const seen: GroupAddress[] = [];
    const watch = store.watch((g) => seen.push(g));
    expect(made).toEqual([]);
    await store.setNamespaces(["ci"]);
    expect(watches).toEqual([{ namespaces: ["ci"], stopped: false }]);
    await store.setNamespaces(["ci"]);
    expect(watches).toHaveLength(1);
    await store.setNamespaces(["b", "ci"]);
    expect(watches).toEqual([
      { namespaces: ["ci"], stopped: true },
      { namespaces: ["b", "ci"], stopped: false },
    ]);
    await store.setNamespaces([]);
    expect(watches[1]?.stopped).toBe(true);
    expect(watches).toHaveLength(2);
    await watch.stop();
  });
});
