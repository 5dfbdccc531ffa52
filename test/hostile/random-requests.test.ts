import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, githubFixture } from "../support/fixtures.js";
import { createTestApp, type TestApp } from "../support/test-app.js";

/**
 * What anyone on the internet can send to the listener port: random methods, paths, headers and
 * bodies (bytes, broken JSON, JSON with hostile keys, wrong and right signatures). None may crash
 * the listener, give an internal error, or give a status openapi.yaml does not document for that
 * path (the answers are checked against it by `checkingAnswers`, inside createTestApp).
 */

const hostileKey = fc.constantFrom(
  "constructor",
  "__proto__",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "ref",
  "head_commit",
  "",
  "a.b",
  "$(body)",
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    tie("object"),
    fc.array(tie("value"), { maxLength: 4 }),
  ),
  object: fc.dictionary(fc.oneof(hostileKey, fc.string({ maxLength: 8 })), tie("value"), {
    maxKeys: 5,
  }),
}));

const body = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  jsonish.object.map((o) => Buffer.from(JSON.stringify(o))),
  jsonish.value.map((v) => Buffer.from(JSON.stringify(v) ?? "")),
  // JSON cut short, or with trailing garbage.
  jsonish.object.chain((o) => {
    const text = JSON.stringify(o);
    return fc
      .nat({ max: text.length })
      .map((n) => Buffer.from(`${text.slice(0, n)}${n % 2 === 0 ? "}}]" : ""}`));
  }),
  fc.constant(githubFixture("push")),
);

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
const headerName = fc.oneof(
  fc.constantFrom(
    "X-GitHub-Event",
    "X-GitHub-Delivery",
    "X-Hub-Signature-256",
    "X-Hub-Signature",
    "X-Gitlab-Token",
    "X-Gitlab-Event",
    "X-Event-Key",
    "Content-Type",
    "Ce-Specversion",
    "Ce-Type",
    "X-Request-Id",
  ),
  token,
);

const requestArb = fc.record({
  method: fc.constantFrom("POST", "POST", "POST", "PUT", "GET", "DELETE", "PATCH", "OPTIONS"),
  path: fc.oneof(
    fc.constantFrom("/", "/listeners/default/github-listener", "/listeners/x/y", "/live"),
    fc.stringMatching(/^\/[A-Za-z0-9._~%/?=&-]{0,40}$/),
  ),
  headers: fc.array(fc.tuple(headerName, printable), { maxLength: 6 }),
  body,
  signed: fc.boolean(),
});

describe("the listener port under random requests (property)", () => {
  let app: TestApp;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp(EXAMPLE_CONFIG);
    await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  it("never answers with an internal error or an undocumented status, and keeps serving", async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of r.headers) {
          const lower = name.toLowerCase();
          // The client frames the body itself; these would only make the request malformed.
          if (
            [
              "content-length",
              "transfer-encoding",
              "connection",
              "host",
              "expect",
              "upgrade",
            ].includes(lower)
          )
            continue;
          headers[name] = value;
        }
        if (r.signed) {
          headers["X-Hub-Signature-256"] =
            `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(r.body).digest("hex")}`;
        }
        const withBody = r.method !== "GET" && r.method !== "OPTIONS";
        const answer = await request(`${base}${r.path}`, {
          method: r.method as "POST",
          headers,
          ...(withBody ? { body: r.body } : {}),
        });
        const text = await answer.body.text();
        statuses.add(answer.statusCode);
        expect(answer.statusCode, text).toBeLessThan(500);
        expect(text).not.toContain("HL_LISTENER_INTERNAL");
      }),
      { numRuns: 300 },
    );
    expect(app.logs.entries.filter((e) => e.message === "request failed")).toEqual([]);

    // Still serving: a correctly signed push after all that is accepted.
    const push = githubFixture("push");
    const ok = await request(`${base}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "after-the-storm",
        "X-Hub-Signature-256": `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(push).digest("hex")}`,
      },
      body: push,
    });
    await ok.body.dump();
    expect(ok.statusCode).toBe(202);
    // The generator reached more than one kind of answer (a property that only ever saw 404s
    // would prove little).
    expect(statuses.size).toBeGreaterThan(2);
  });
});
