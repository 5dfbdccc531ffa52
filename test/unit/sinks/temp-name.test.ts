import { describe, expect, it } from "vitest";
import { tempName } from "../../../src/sinks/local/temp-name.js";

describe("tempName", () => {
  it("gives a fresh name each time, in the form stale temporaries are found by", () => {
    const names = Array.from({ length: 1000 }, () => tempName());
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^\.hookline-[0-9a-f]{16}-[0-9a-z]+\.tmp$/);
  });
});
