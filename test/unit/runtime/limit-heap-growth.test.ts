import { describe, expect, it } from "vitest";
import { limitHeapGrowth } from "../../../src/runtime/limit-heap-growth.js";

describe("limitHeapGrowth", () => {
  it.each([
    { name: "a node flag", execArgv: ["--heap-growing-percent=0"], nodeOptions: undefined },
    {
      name: "the underscore spelling",
      execArgv: ["--heap_growing_percent=20"],
      nodeOptions: undefined,
    },
    {
      name: "NODE_OPTIONS",
      execArgv: [],
      nodeOptions: "--max-old-space-size=512 --heap-growing-percent=0",
    },
  ])("leaves the user's own --heap-growing-percent alone: $name", ({ execArgv, nodeOptions }) => {
    expect(limitHeapGrowth(execArgv, nodeOptions)).toBe(false);
  });

  it("sets the limit when the user gave none", () => {
    expect(limitHeapGrowth([], "--enable-source-maps")).toBe(true);
  });
});
