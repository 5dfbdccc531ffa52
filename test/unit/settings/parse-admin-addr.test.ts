import { describe, expect, it } from "vitest";
import { parseAdminAddr } from "../../../src/settings/parse-admin-addr.js";

describe("parseAdminAddr", () => {
  it.each([
    { name: "port only (documented)", text: "33294", host: "127.0.0.1", port: 33294 },
    { name: ":port", text: ":9091", host: "127.0.0.1", port: 9091 },
    { name: "host:port", text: "0.0.0.0:9090", host: "0.0.0.0", port: 9090 },
    { name: "name:port", text: "localhost:0", host: "localhost", port: 0 },
    { name: "[v6]:port", text: "[::1]:9090", host: "::1", port: 9090 },
  ])("reads $name", ({ text, host, port }) => {
    expect(parseAdminAddr(text)).toEqual({ host, port });
  });

  it.each([
    { name: "bare IPv6", text: "::1:9090" },
    { name: "port out of range", text: "70000" },
    { name: "no port", text: "localhost" },
  ])("refuses $name", ({ text }) => {
    expect(() => parseAdminAddr(text)).toThrow(/invalid admin address/);
  });
});
