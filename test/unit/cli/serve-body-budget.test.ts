import { afterEach, describe, expect, it, vi } from "vitest";
import { runServe } from "../../../src/cli/serve-command.js";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("hookline serve: the body budget settings", () => {
  it.each([
    { name: "a budget that is not a size", env: { HOOKLINE_BODY_BUDGET: "lots" } },
    { name: "a negative per-source cap", env: { HOOKLINE_BODIES_PER_SOURCE: "-1" } },
    { name: "a per-source cap that is not a count", env: { HOOKLINE_BODIES_PER_SOURCE: "8.5" } },
  ])("$name: usage error (exit 2), naming the variable or value", async ({ env }) => {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await runServe(["--config", "/nonexistent-hookline-config"])).toBe(2);
    expect(written.join("")).toMatch(/HOOKLINE_BODIES_PER_SOURCE|"lots"/);
  });
});
