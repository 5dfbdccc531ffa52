import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDestinationGuard,
  refusedAddress,
  type DestinationGuardOptions,
} from "../../../src/http/destination-guard.js";
import { HttpError } from "../../../src/http/http-error.js";
import { request } from "../../../src/http/request.js";

let fakeEndpoint: Server;
let port = 0;
let hits = 0;

beforeAll(async () => {
  fakeEndpoint = createServer((_req, res) => {
    hits++;
    res.end("ok");
  });
  await new Promise<void>((resolve) => fakeEndpoint.listen(0, "127.0.0.1", resolve));
  port = (fakeEndpoint.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => fakeEndpoint.close(() => resolve())));

async function call(url: string, options: DestinationGuardOptions): Promise<number | HttpError> {
  try {
    const answer = await request({
      method: "GET",
      url,
      timeoutMs: 5_000,
      maxBytes: 1024,
      guard: createDestinationGuard(options),
    });
    return answer.status;
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
}

function refused(result: number | HttpError): string {
  expect(result).toBeInstanceOf(HttpError);
  const err = result as HttpError;
  expect(err.kind).toBe("refused");
  return err.message;
}

describe("the destination guard of HTTP actions (SSRF)", () => {
  it.each([
    { name: "IPv4 loopback", address: "127.0.0.1", refused: true },
    { name: "another 127/8 address", address: "127.10.0.1", refused: true },
    { name: "IPv6 loopback", address: "::1", refused: true },
    { name: "IPv4-mapped loopback", address: "::ffff:127.0.0.1", refused: true },
    { name: "the metadata service", address: "169.254.169.254", refused: true },
    { name: "IPv6 link-local", address: "fe80::1", refused: true },
    { name: "AWS IPv6 metadata", address: "fd00:ec2::254", refused: true },
    { name: "unspecified", address: "0.0.0.0", refused: true },
    { name: "a private address (in-cluster services)", address: "10.96.0.10", refused: false },
    { name: "a public address", address: "93.184.216.34", refused: false },
  ])("$name: refused=$refused", ({ address, refused }) => {
    expect(refusedAddress(address) !== undefined).toBe(refused);
  });

  it("refuses a loopback address literal before connecting", async () => {
    const before = hits;
    expect(refused(await call(`http://127.0.0.1:${port}/`, {}))).toMatch(/loopback/);
    expect(hits).toBe(before);
  });

  it("refuses a name that resolves to loopback, checked on the resolved address", async () => {
    const before = hits;
    const message = refused(await call(`http://localhost:${port}/`, {}));
    expect(message).toMatch(/localhost resolves to a loopback address/);
    expect(hits).toBe(before);
  });

  it("refuses a name that resolves to loopback only when connecting (DNS rebinding)", async () => {
    const seen: string[] = [];
    const rebinding: DestinationGuardOptions = {
      resolve: (hostname) => {
        seen.push(hostname);
        return Promise.resolve([{ address: "127.0.0.1", family: 4 }]);
      },
    };
    const before = hits;
    refused(await call(`http://build.example.test:${port}/`, rebinding));
    expect(seen).toEqual(["build.example.test"]);
    expect(hits).toBe(before);
  });

  it("allows loopback for a host in the allow-list, on its port", async () => {
    expect(await call(`http://127.0.0.1:${port}/`, { allow: [`127.0.0.1:${port}`] })).toBe(200);
    expect(await call(`http://localhost:${port}/`, { allow: ["localhost"] })).toBe(200);
    expect(refused(await call(`http://127.0.0.1:${port}/`, { allow: ["127.0.0.1:1"] }))).toMatch(
      /not in HOOKLINE_HTTP_ALLOW/,
    );
  });

  it("with an allow-list, refuses every host not on it", async () => {
    expect(
      refused(await call(`http://jenkins.example.test/`, { allow: ["other.example.test"] })),
    ).toMatch(/jenkins.example.test:80 is not in HOOKLINE_HTTP_ALLOW/);
  });

  it("a wildcard entry does not let a name resolve to loopback", async () => {
    const options: DestinationGuardOptions = {
      allow: ["*.example.test"],
      resolve: () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]),
    };
    refused(await call(`http://ci.example.test:${port}/`, options));
  });
});
