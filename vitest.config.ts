import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import { tektonExamplesNotice } from "./test/support/tekton-examples-notice.js";

const TEKTON_EXAMPLES = fileURLToPath(new URL("../shared/tekton-examples", import.meta.url));
const PROCESS_TESTS = "test/process/**/*.test.ts";

export default defineConfig({
  test: {
    testTimeout: 20_000,
    pool: "forks",
    setupFiles: ["test/support/openapi-setup.ts"],
    reporters: [
      "default",
      tektonExamplesNotice(TEKTON_EXAMPLES, (file) =>
        /\/test\/integration\/(tekton-examples|dry-run)\.test\.ts$/.test(file),
      ),
    ],
    // Two projects only so that the process tests' build runs when one of them is selected.
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts", "interceptors/**/*.test.ts"],
          exclude: [...configDefaults.exclude, PROCESS_TESTS],
          // openapi.yaml's answer schemas compiled once per run, cached on disk by its hash.
          globalSetup: ["test/support/openapi-global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "process",
          include: [PROCESS_TESTS],
          // They run bin/hookline.js: dist/ is rebuilt first when a source is newer than it.
          globalSetup: ["test/process/build-dist.ts"],
        },
      },
    ],
  },
});
