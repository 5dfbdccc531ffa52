import { describe, expect, it } from "vitest";
import {
  isAllowedHost,
  parseAllowedHosts,
  parseHostHeader,
} from "../../../src/admin/check-host.js";

describe("the admin port's Host check", () => {
  it("parses Host headers, refusing malformed ones", () => {
    expect(parseHostHeader("LocalHost:9090")).toBe("localhost");
    expect(parseHostHeader("[::1]:9090")).toBe("::1");
    expect(parseHostHeader("hookline.internal.")).toBe("hookline.internal");
    expect(parseHostHeader("[evil.test]:1")).toBeUndefined();
    expect(parseHostHeader("a b")).toBeUndefined();
    expect(parseHostHeader(undefined)).toBeUndefined();
  });

  it("accepts localhost, loopback and the bound address, names only when configured", () => {
    const rules = {
      allowedHosts: parseAllowedHosts("hookline.internal, .corp.example"),
      tokenRequired: false,
    };
    expect(isAllowedHost("localhost", "127.0.0.1", rules)).toBe(true);
    expect(isAllowedHost("127.0.0.1", "127.0.0.1", rules)).toBe(true);
    expect(isAllowedHost("::1", "::1", rules)).toBe(true);
    expect(isAllowedHost("10.0.0.5", "::ffff:10.0.0.5", rules)).toBe(true);
    expect(isAllowedHost("10.0.0.6", "10.0.0.5", rules)).toBe(false);
    expect(isAllowedHost("hookline.internal", "127.0.0.1", rules)).toBe(true);
    expect(isAllowedHost("a.corp.example", "127.0.0.1", rules)).toBe(true);
    expect(isAllowedHost("corp.example", "127.0.0.1", rules)).toBe(true);
    expect(isAllowedHost("evilcorp.example", "127.0.0.1", rules)).toBe(false);
    expect(isAllowedHost("127.0.0.1.attacker.test", "127.0.0.1", rules)).toBe(false);
    // With a token any IP literal is fine (a Service or port-forward rewrites the address).
    expect(isAllowedHost("10.0.0.6", "10.0.0.5", { ...rules, tokenRequired: true })).toBe(true);
  });
});
