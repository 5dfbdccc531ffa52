import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretResolver } from "../../../src/config/secret-resolver.js";
import { createSecretValues } from "../../../src/core/secret-values.js";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { createDestinationGuard } from "../../../src/http/destination-guard.js";
import { checkHttpAnswer } from "../../../src/sinks/http/check-http-answer.js";
import { createHttpRequestSink } from "../../../src/sinks/http/http-request-sink.js";
import type { HttpRequestDelivery } from "../../../src/store/types.js";
import type { RenderedHttpRequest } from "../../../src/templates/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";

const TOKEN = "Bearer tok-4f9a8c7e6d5b";
let fakeEndpoint: Server;
let base = "";
const seen: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  fakeEndpoint = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ headers: req.headers, body });
      // Echoes the Authorization it got (an endpoint that does is not unheard of), then pads.
      res.writeHead(req.url === "/busy" ? 503 : 200, { "Retry-After": "7" });
      res.end(`you sent ${String(req.headers.authorization)} ${"x".repeat(5000)}`);
    });
  });
  await new Promise<void>((resolve) => fakeEndpoint.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(fakeEndpoint.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => fakeEndpoint.close(() => resolve())));

function delivery(request: Partial<RenderedHttpRequest>): HttpRequestDelivery {
  return {
    kind: "http",
    seq: 0,
    deliveryKey: "ev-1.0.0",
    request: {
      method: "POST",
      url: `${base}/hook`,
      headers: [],
      body: undefined,
      expectedStatuses: undefined,
      timeoutMs: 5_000,
      ...request,
    },
  };
}

const secretValues = createSecretValues();
const sink = createHttpRequestSink({
  secrets: createSecretResolver({
    fromConfig: new Map([["ci/hook", { auth: Buffer.from(TOKEN) }]]),
    values: secretValues,
  }),
  secretValues,
  guard: createDestinationGuard({ allow: ["127.0.0.1"] }),
});
const ctx = { namespace: "ci", log: createCapturingLogger().log };

describe("the HTTPRequest sink", () => {
  it("sends the Secret header, the Idempotency-Key and a JSON body; keeps the answer's first bytes, the secret redacted", async () => {
    const result = await sink.send(
      delivery({
        headers: [
          {
            name: "Authorization",
            value: { kind: "secret", secretRef: { name: "hook", key: "auth" } },
          },
        ],
        body: { kind: "json", value: { ref: "main" } },
      }),
      ctx,
    );
    const got = seen.at(-1);
    expect(got?.headers.authorization).toBe(TOKEN);
    expect(got?.headers["idempotency-key"]).toBe("ev-1.0.0");
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.body).toBe('{"ref":"main"}');
    expect(result.answer.status).toBe(200);
    expect(result.answer.truncated).toBe(true);
    expect(Buffer.byteLength(result.answer.body)).toBeLessThanOrEqual(2048);
    expect(result.answer.body).toMatch(/^you sent \[redacted\] x+$/);
    expect(result.answer.body).not.toContain("tok-4f9a8c7e6d5b");
  });

  it("sends form fields url-encoded; a Content-Type of the entry wins", async () => {
    await sink.send(delivery({ body: { kind: "form", fields: { A: "x y", B: "&" } } }), ctx);
    expect(seen.at(-1)?.body).toBe("A=x+y&B=%26");
    expect(seen.at(-1)?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    await sink.send(
      delivery({
        headers: [{ name: "content-type", value: { kind: "literal", value: "text/csv" } }],
        body: { kind: "text", text: "a,b" },
      }),
      ctx,
    );
    expect(seen.at(-1)?.headers["content-type"]).toBe("text/csv");
  });

  it("a missing Secret fails the delivery for good, naming the Secret but no value", async () => {
    const err = await sink
      .send(
        delivery({
          headers: [
            { name: "X-Key", value: { kind: "secret", secretRef: { name: "nope", key: "k" } } },
          ],
        }),
        ctx,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect(err).toMatchObject({ code: "HL_SECRET_NOT_FOUND", details: { retryable: false } });
  });

  it("a refused connection is retryable (HL_HTTP_REQUEST_FAILED)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await sink
      .send(delivery({ url: `http://127.0.0.1:${port}/` }), ctx)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "HL_HTTP_REQUEST_FAILED", details: { retryable: true } });
  });

  it("carries a 503's Retry-After to the retry", async () => {
    const d = delivery({ url: `${base}/busy` });
    const result = await sink.send(d, ctx);
    expect(result.retryAfterMs).toBe(7_000);
    expect(() => checkHttpAnswer(d, result)).toThrow(
      expect.objectContaining({ details: { retryable: true, status: 503, retryAfterMs: 7_000 } }),
    );
  });
});

describe("checkHttpAnswer", () => {
  it.each([
    { name: "any 2xx by default", status: 204, expected: undefined, outcome: "ok" },
    { name: "a listed status", status: 201, expected: [201], outcome: "ok" },
    { name: "a 2xx not listed", status: 200, expected: [201], outcome: "permanent" },
    { name: "a redirect (not followed)", status: 302, expected: undefined, outcome: "permanent" },
    { name: "403", status: 403, expected: undefined, outcome: "permanent" },
    { name: "404", status: 404, expected: undefined, outcome: "permanent" },
    { name: "429", status: 429, expected: undefined, outcome: "retry" },
    { name: "500", status: 500, expected: undefined, outcome: "retry" },
    { name: "503", status: 503, expected: [201], outcome: "retry" },
  ])("$name → $outcome", ({ status, expected, outcome }) => {
    const d = delivery({ expectedStatuses: expected });
    const result = {
      answer: { status, at: "", body: "", truncated: false },
      retryAfterMs: undefined,
    };
    if (outcome === "ok") {
      expect(() => checkHttpAnswer(d, result)).not.toThrow();
      return;
    }
    try {
      checkHttpAnswer(d, result);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({
        code: "HL_HTTP_UNEXPECTED_STATUS",
        details: { retryable: outcome === "retry" },
      });
    }
  });
});
