import { describe, expect, it } from "vitest";
import { createCsrfTokens, CSRF_TOKEN_TTL_MS } from "../../../src/admin/csrf-tokens.js";

describe("createCsrfTokens", () => {
  it("verifies its own token for the same action only", () => {
    const tokens = createCsrfTokens();
    const token = tokens.issue("replay:a");
    expect(tokens.verify("replay:a", token)).toBe(true);
    expect(tokens.verify("replay:b", token)).toBe(false);
    expect(createCsrfTokens().verify("replay:a", token)).toBe(false);
    expect(tokens.verify("replay:a", undefined)).toBe(false);
    expect(tokens.verify("replay:a", ["x"])).toBe(false);
  });

  it("refuses a token past its lifetime, or issued at a forged time", () => {
    let now = 1_000_000;
    const tokens = createCsrfTokens({ now: () => now });
    const token = tokens.issue("replay:a");
    now += CSRF_TOKEN_TTL_MS;
    expect(tokens.verify("replay:a", token)).toBe(true);
    now += 1;
    expect(tokens.verify("replay:a", token)).toBe(false);
    const [, mac] = token.split(".");
    expect(tokens.verify("replay:a", `${now}.${mac}`)).toBe(false);
  });
});
