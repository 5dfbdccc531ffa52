import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/admin/metrics.js";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import type { Journal } from "../../src/store/types.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { EXAMPLE_CONFIG } from "../support/fixtures.js";

/**
 * The listener's body budget (issue 11, "Bound the work in flight"), over raw sockets so that a
 * test decides exactly which bytes are sent: a body that does not fit gets 503 HL_INTAKE_BUSY with
 * Retry-After before it is read, a chunked one is cut off, and every way a request ends gives its
 * bytes back.
 */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Client {
  socket: Socket;
  /** The answer, complete once the server closes the connection. */
  answer: Promise<Answer>;
}

let app: TestApp | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  if (app !== undefined) {
    app.server.closeAllConnections();
    await app.close();
  }
  app = undefined;
});

async function start(options: {
  budget: number;
  perSource?: number;
  maxBody?: number;
  metrics?: Metrics;
}): Promise<number> {
  app = await createTestApp(EXAMPLE_CONFIG, {
    bodyBudgetBytes: options.budget,
    bodiesPerSource: options.perSource ?? 0,
    ...(options.maxBody === undefined ? {} : { maxBodyBytes: options.maxBody }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const server = app.server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Opens a request with these headers (Connection: close) and `body`, which may be partial. */
async function send(port: number, headers: Record<string, string>, body = ""): Promise<Client> {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  socket.on("error", () => undefined); // a reset after the answer: the answer is what counts
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  const answer = new Promise<Answer>((resolve) =>
    socket.once("close", () => resolve(parseAnswer(Buffer.concat(chunks).toString("latin1")))),
  );
  const head = Object.entries({
    Host: "127.0.0.1",
    "Content-Type": "application/json",
    Connection: "close",
    ...headers,
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.write(`POST / HTTP/1.1\r\n${head}\r\n${body}`);
  return { socket, answer };
}

function parseAnswer(text: string): Answer {
  const [head = "", body = ""] = text.split("\r\n\r\n", 2);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(":");
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body };
}

/** A whole JSON body of exactly `n` bytes (unsigned: the listener answers it 401, not 503). */
function jsonOf(n: number): string {
  return `{"pad":"${"x".repeat(n - 10)}"}`;
}

/** Waits until the server has the request's headers (it answers nothing until then). */
const tick = (ms = 50): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function expectBusy(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.headers["retry-after"]).toBe("2");
  expect(answer.headers["connection"]).toBe("close");
  expect((JSON.parse(answer.body) as { code: string }).code).toBe("HL_INTAKE_BUSY");
}

/** Sends `body` whole until it is answered other than 503 (the server noticed a close), 2 s at most. */
async function statusOnceReleased(port: number, body: string): Promise<number> {
  let status = 0;
  for (let i = 0; i < 40; i++) {
    const client = await send(port, { "Content-Length": String(body.length) }, body);
    status = (await client.answer).status;
    if (status !== 503) break;
    await tick();
  }
  return status;
}

describe("the body budget", () => {
  it("refuses a declared Content-Length that would pass it with 503 and Retry-After, before the body is sent", async () => {
    const metrics = createMetrics();
    const port = await start({ budget: 1000, metrics });
    const holder = await send(port, { "Content-Length": "600" }, "{");
    await tick();
    // Not one byte of this body is sent: the answer must come all the same.
    const refused = await send(port, { "Content-Length": "600" });
    expectBusy(await refused.answer);
    // Within what is left, a body is taken.
    const fits = await send(port, { "Content-Length": "400" }, jsonOf(400));
    expect((await fits.answer).status).not.toBe(503);
    holder.socket.destroy();
    expect(await metrics.registry.getSingleMetricAsString("hookline_intake_refused_total")).toMatch(
      /hookline_intake_refused_total\{reason="budget"\} 1/,
    );
  });

  it("cuts a chunked body off once its bytes no longer fit", async () => {
    const port = await start({ budget: 1000 });
    // Another body holds 300 bytes: the chunked one has 700.
    const holder = await send(port, { "Content-Length": "300" }, "{");
    await tick();
    const client = await send(port, { "Transfer-Encoding": "chunked" });
    const chunk = `{"a":"${"x".repeat(290)}`;
    for (let i = 0; i < 5 && !client.socket.destroyed; i++) {
      client.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      await tick(20);
    }
    expectBusy(await client.answer);
    holder.socket.destroy();
    // Its bytes were given back: a body of the whole budget is taken.
    expect(await statusOnceReleased(port, jsonOf(1000))).not.toBe(503);
  });

  it("gives the bytes of a request whose client went away back", async () => {
    const port = await start({ budget: 1000 });
    const aborted = await send(port, { "Content-Length": "900" }, `{"a":"${"x".repeat(100)}`);
    await tick();
    expectBusy(await (await send(port, { "Content-Length": "900" })).answer);
    aborted.socket.destroy();
    expect(await statusOnceReleased(port, jsonOf(900))).not.toBe(503);
  });

  it("gives the bytes of answered requests back: one budget-sized body after another", async () => {
    const port = await start({ budget: 1000 });
    for (let i = 0; i < 3; i++) {
      const client = await send(port, { "Content-Length": "1000" }, jsonOf(1000));
      expect((await client.answer).status).not.toBe(503);
    }
    // The same over one kept-alive connection (fetch keeps it open between requests).
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: jsonOf(1000),
      });
      await res.arrayBuffer();
      expect(res.status).not.toBe(503);
    }
  });

  it("answers a body over --max-body 413, not 503, however full the budget is", async () => {
    const port = await start({ budget: 1000, maxBody: 1500 });
    const holder = await send(port, { "Content-Length": "900" }, "{");
    await tick();
    const tooLarge = await send(port, { "Content-Length": "2000" });
    const answer = await tooLarge.answer;
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as { code: string }).code).toBe("HL_INTAKE_BODY_TOO_LARGE");
    holder.socket.destroy();
  });
});

describe("the cap of bodies per source address", () => {
  it("refuses one more body from an address that has the cap in flight, and frees its slot after", async () => {
    const metrics = createMetrics();
    const port = await start({ budget: 1 << 20, perSource: 2, metrics });
    const held = [
      await send(port, { "Content-Length": "10" }, "{"),
      await send(port, { "Content-Length": "10" }, "{"),
    ];
    await tick();
    expectBusy(await (await send(port, { "Content-Length": "10" }, jsonOf(10))).answer);
    expect(await metrics.registry.getSingleMetricAsString("hookline_intake_refused_total")).toMatch(
      /hookline_intake_refused_total\{reason="source"\} 1/,
    );
    for (const h of held) h.socket.destroy();
    expect(await statusOnceReleased(port, jsonOf(10))).not.toBe(503);
  });
});

describe("defaults under ordinary load", () => {
  it("takes 40 concurrent small deliveries from one address while they are processed (none refused)", async () => {
    // A journal that takes 100 ms to record: every request is still being processed when the
    // others arrive. The per-address cap counts bodies being received, not bodies being processed.
    const memory = createMemoryJournal();
    const slow: Journal = Object.create(memory) as Journal;
    slow.record = async (...args) => {
      await tick(100);
      return memory.record(...args);
    };
    app = await createTestApp(EXAMPLE_CONFIG, { journal: slow });
    const server = app.server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: jsonOf(8_000),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 503)).toEqual([]);
  });
});
