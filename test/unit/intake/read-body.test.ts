import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { parseSize, readBody } from "../../../src/intake/read-body.js";

/**
 * readBody against real requests: a node:http server on loopback, and a raw socket as the client,
 * so a test controls exactly which bytes arrive, when, and whether the connection breaks.
 */
interface Harness {
  /** The request as the server got it, once its headers are in. */
  request: Promise<IncomingMessage>;
  socket: Socket;
}

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function open(head: string): Promise<Harness> {
  let got: (req: IncomingMessage) => void = () => {};
  const request = new Promise<IncomingMessage>((resolve) => (got = resolve));
  const server = createServer((req) => got(req));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {}); // the server may reset it; the test looks at readBody only
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(`POST / HTTP/1.1\r\nHost: x\r\n${head}\r\n`);
  return { request, socket };
}

async function refusal(promise: Promise<unknown>): Promise<HooklineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HooklineError);
  return err as HooklineError;
}

describe("readBody", () => {
  it("reads a body sent in several pieces, byte for byte", async () => {
    const h = await open("Content-Length: 6\r\n");
    const req = await h.request;
    const body = readBody(req, 100);
    h.socket.write(Buffer.from([0x7b, 0x00]));
    h.socket.write(Buffer.from([0xff, 0xe2, 0x82]));
    h.socket.write(Buffer.from([0x7d]));
    expect([...(await body)]).toEqual([0x7b, 0x00, 0xff, 0xe2, 0x82, 0x7d]);
  });

  it("takes a body of exactly the limit", async () => {
    const h = await open("Content-Length: 10\r\n");
    const body = readBody(await h.request, 10);
    h.socket.write("0123456789");
    expect((await body).toString()).toBe("0123456789");
  });

  it("reads an empty body", async () => {
    const h = await open("Content-Length: 0\r\n");
    expect((await readBody(await h.request, 10)).length).toBe(0);
  });

  it("refuses at once a Content-Length over the limit, before any of the body arrives", async () => {
    const h = await open("Content-Length: 11\r\n");
    // Nothing of the body is ever sent: a wait for it would time the test out.
    const err = await refusal(readBody(await h.request, 10));
    expect(err.code).toBe("HL_INTAKE_BODY_TOO_LARGE");
    expect(err.status).toBe(413);
    expect(err.details).toEqual({ limit: 10 });
  });

  it("refuses a chunked body as soon as it passes the limit, without waiting for its end", async () => {
    const h = await open("Transfer-Encoding: chunked\r\n");
    const req = await h.request;
    const body = readBody(req, 10);
    h.socket.write("6\r\n012345\r\n");
    h.socket.write("6\r\n6789ab\r\n"); // 12 bytes: past the limit; the body never ends
    const err = await refusal(body);
    expect(err.code).toBe("HL_INTAKE_BODY_TOO_LARGE");
    // It let go of the request: nothing more is collected.
    expect(req.listenerCount("data")).toBe(0);
  });

  it("reads a chunked body under the limit", async () => {
    const h = await open("Transfer-Encoding: chunked\r\n");
    const body = readBody(await h.request, 10);
    h.socket.write("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    expect((await body).toString()).toBe("abcde");
  });

  it("fails with HL_INTAKE_READ_FAILED when the connection breaks mid-body", async () => {
    const h = await open("Content-Length: 100\r\n");
    const req = await h.request;
    const body = readBody(req, 1000);
    h.socket.write("only part of it");
    await new Promise((resolve) => setImmediate(resolve));
    h.socket.destroy();
    const err = await refusal(body);
    expect(err.code).toBe("HL_INTAKE_READ_FAILED");
    expect(err.cause).toBeInstanceOf(Error);
    expect(req.listenerCount("data")).toBe(0);
  });
});

describe("parseSize", () => {
  it.each([
    { text: "1048576", want: 1_048_576 },
    { text: "25MiB", want: 25 * 1024 * 1024 },
    { text: "25mib", want: 25 * 1024 * 1024 },
    { text: "3MB", want: 3_000_000 },
    { text: "512k", want: 512_000 },
    { text: "512KiB", want: 512 * 1024 },
    { text: "1.5KiB", want: 1536 },
    { text: " 2 GiB ", want: 2 * 1024 ** 3 },
    { text: "1G", want: 1e9 },
    { text: "10b", want: 10 },
    { text: "0", want: 0 },
  ])("reads $text as $want bytes", ({ text, want }) => {
    expect(parseSize(text)).toBe(want);
  });

  it.each(["", "abc", "-1", "1TB", "1 2", "MiB", "1.2.3k"])("refuses %j", (text) => {
    expect(() => parseSize(text)).toThrow(/invalid size/);
  });
});
