#!/usr/bin/env node
// Writes the config of the trigger-scaling rows: one EventListener with N triggers, each a
// `github` interceptor (same secret, eventTypes push) followed by a CEL filter on the repository,
// of which exactly one — the last — matches examples/payloads/github-push.json
// (`Codertocat/Hello-World`). The others name repositories that do not exist in the push.
// See bench/README.md ("Trigger scaling").
//
//   node bench/trigger-config.js N DIR      (writes DIR/listener.yaml; for profiling start-up)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository of the example push: the one trigger whose filter matches. */
export const MATCHING_REPOSITORY = "Codertocat/Hello-World";

/** Writes the N-trigger config into `dir` (created if missing); returns the file's path. */
export function writeTriggerConfig(dir, triggers) {
  if (!Number.isInteger(triggers) || triggers < 1) throw new Error("triggers must be >= 1");
  mkdirSync(dir, { recursive: true });
  const parts = [
    `apiVersion: v1
kind: Secret
metadata:
  name: github-secret
type: Opaque
stringData:
  secretToken: hookline-example-secret
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: push
spec:
  params:
    - name: git-revision
      value: $(body.head_commit.id)
    - name: git-repo-url
      value: $(body.repository.clone_url)
    - name: git-ref
      value: $(body.ref)
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: build
spec:
  params:
    - name: git-revision
    - name: git-repo-url
    - name: git-ref
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: build-
      spec:
        pipelineRef:
          name: build
        params:
          - name: revision
            value: $(tt.params.git-revision)
          - name: repo-url
            value: $(tt.params.git-repo-url)
          - name: ref
            value: $(tt.params.git-ref)
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: org-listener
spec:
  serviceAccountName: bench-sa
  triggers:
`,
  ];
  for (let i = 0; i < triggers; i++) {
    const repository = i === triggers - 1 ? MATCHING_REPOSITORY : `Codertocat/repo-${i}`;
    parts.push(`    - name: repo-${i}
      interceptors:
        - ref:
            name: github
          params:
            - name: secretRef
              value:
                secretName: github-secret
                secretKey: secretToken
            - name: eventTypes
              value: ["push"]
        - ref:
            name: cel
          params:
            - name: filter
              value: "body.repository.full_name == '${repository}'"
      bindings:
        - ref: push
      template:
        ref: build
`);
  }
  const file = join(dir, "listener.yaml");
  writeFileSync(file, parts.join(""));
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n, dir] = process.argv.slice(2);
  if (n === undefined || dir === undefined) {
    process.stderr.write("usage: node bench/trigger-config.js N DIR\n");
    process.exit(2);
  }
  process.stdout.write(`${writeTriggerConfig(dir, Number(n))}\n`);
}
