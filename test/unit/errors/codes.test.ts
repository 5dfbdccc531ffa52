import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codes } from "../../../src/errors/codes.js";
import { ROOT } from "../../support/fixtures.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("the error catalogue", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const openapi = readFileSync(join(ROOT, "openapi.yaml"), "utf8");
  const code = [...sources(join(ROOT, "src")), ...sources(join(ROOT, "interceptors"))]
    .filter((f) => !f.endsWith("codes.ts"))
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");

  it.each(Object.entries(codes).map(([name, entry]) => ({ name, ...entry })))(
    "$name is well-formed, documented and raised",
    ({ name, status, summary }) => {
      expect(name).toMatch(/^HL_[A-Z]+_[A-Z_]+$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(summary.length).toBeGreaterThan(10);
      expect(
        readme.includes(name) || openapi.includes(name),
        `${name} is in README.md or openapi.yaml`,
      ).toBe(true);
      expect(
        code.includes(`"${name}"`),
        `${name} is raised somewhere in src/ or interceptors/`,
      ).toBe(true);
    },
  );

  it("lists every code the listener port answers with in openapi.yaml", () => {
    for (const name of [
      "HL_INTAKE_BODY_TOO_LARGE",
      "HL_INTAKE_INVALID_PAYLOAD",
      "HL_LISTENER_UNAUTHENTICATED",
      "HL_LISTENER_NOT_FOUND",
    ]) {
      expect(openapi).toContain(name);
    }
  });
});
