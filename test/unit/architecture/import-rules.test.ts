import { createRequire } from "node:module";
import path from "node:path";
import { cruise, type ICruiseResult, type IConfiguration } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
const require = createRequire(import.meta.url);
const config = require(path.join(root, ".dependency-cruiser.cjs")) as IConfiguration;

async function violations(baseDir: string, roots: string[]): Promise<string[]> {
  const result = await cruise(roots, {
    ...config.options,
    baseDir,
    ruleSet: { forbidden: config.forbidden ?? [] },
    validate: true,
    tsConfig: { fileName: path.join(root, "tsconfig.json") },
  });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe("import rules (.dependency-cruiser.cjs, run by npm run lint)", () => {
  it("hold on the tree", async () => {
    expect(await violations(root, ["src", "interceptors"])).toEqual([]);
  });

  it("catch each kind of wrong import", async () => {
    const found = await violations(path.join(root, "test/fixtures/import-rules"), [
      "src",
      "interceptors",
    ]);
    const rules = new Set(found.map((f) => f.split(":")[0]));
    expect([...rules].sort()).toEqual([
      "intake-never-reaches-sinks",
      "interceptors-only-public-sdk",
      "kernel-imports-no-stage",
      "no-circular",
      "nothing-imports-app",
      "stage-order-store",
    ]);
  });
});
