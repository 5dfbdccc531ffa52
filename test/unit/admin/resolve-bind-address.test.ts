import { describe, expect, it } from "vitest";
import {
  isLoopbackAddress,
  resolveBindAddress,
  type LookupAll,
} from "../../../src/admin/resolve-bind-address.js";

const fakeDns =
  (table: Record<string, string[]>): LookupAll =>
  (host) => {
    const addresses = table[host];
    if (addresses === undefined) return Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`));
    return Promise.resolve(addresses.map((address) => ({ address })));
  };

describe("isLoopbackAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.255.3.4", true],
    ["::1", true],
    ["0:0:0:0:0:0:0:1", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.1", false],
    ["128.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["::2", false],
    ["127.attacker.test", false],
    ["localhost", false],
  ])("%s → %s", (ip, expected) => {
    expect(isLoopbackAddress(ip)).toBe(expected);
  });
});

describe("resolveBindAddress", () => {
  it("decides on the resolved address, not the name: 127.attacker.test → 0.0.0.0 is not loopback", async () => {
    const dns = fakeDns({ "127.attacker.test": ["0.0.0.0"] });
    expect(await resolveBindAddress("127.attacker.test", dns)).toEqual({
      address: "0.0.0.0",
      loopback: false,
      resolved: ["0.0.0.0"],
    });
  });

  it("needs every address to be loopback", async () => {
    const dns = fakeDns({ mixed: ["127.0.0.1", "192.0.2.7"], localhost: ["::1", "127.0.0.1"] });
    expect((await resolveBindAddress("mixed", dns)).loopback).toBe(false);
    expect(await resolveBindAddress("localhost", dns)).toEqual({
      address: "::1",
      loopback: true,
      resolved: ["::1", "127.0.0.1"],
    });
  });

  it("takes IP literals as they are, without asking DNS, brackets or not", async () => {
    const dns = fakeDns({});
    expect(await resolveBindAddress("127.0.0.1", dns)).toMatchObject({ loopback: true });
    expect(await resolveBindAddress("[::1]", dns)).toMatchObject({
      address: "::1",
      loopback: true,
    });
    expect(await resolveBindAddress("0.0.0.0", dns)).toMatchObject({ loopback: false });
  });

  it("resolves real names with the system resolver", async () => {
    const result = await resolveBindAddress("localhost");
    expect(result.loopback).toBe(true);
  });

  it("fails on a name that does not resolve", async () => {
    await expect(resolveBindAddress("nowhere.invalid", fakeDns({}))).rejects.toThrow(/ENOTFOUND/);
  });
});
