import { existsSync } from "node:fs";
import type { Reporter } from "vitest/node";

/**
 * A vitest reporter that says, in one line before the run, when Tekton's examples are missing and
 * how to get them, if a selected test file needs them (their tests are skipped without them).
 */
export function tektonExamplesNotice(
  examplesDir: string,
  needs: (file: string) => boolean,
): Reporter {
  return {
    onTestRunStart(specifications) {
      if (existsSync(examplesDir) || !specifications.some((s) => needs(s.moduleId))) return;
      console.log(
        `Tekton's examples are not at ${examplesDir}: their compatibility tests are skipped. To run them: ` +
          `git clone https://github.com/tektoncd/triggers /tmp/triggers && git -C /tmp/triggers checkout 088902973 && ` +
          `mkdir -p ${examplesDir} && cp -r /tmp/triggers/examples/v1beta1 /tmp/triggers/examples/rbac.yaml ` +
          `/tmp/triggers/examples/example-pipeline.yaml ${examplesDir}/`,
      );
    },
  };
}
