import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "interceptors/**/*.test.ts"],
    testTimeout: 20_000,
    pool: "forks",
    setupFiles: ["test/support/openapi-setup.ts"],
  },
});
