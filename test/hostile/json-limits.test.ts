import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/admin/metrics.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";

/**
 * Issue 11 item 2: a body of 10^6 keys cost a second of the event loop in JSON.parse. Bodies past
 * the documented structure limits are answered 413 HL_INTAKE_TOO_COMPLEX without being parsed.
 */
let app: TestApp | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

const manyKeys = (n: number): string =>
  `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(",")}}`;

describe("JSON structure limits", () => {
  it.each([
    { name: "nested 129 levels deep", body: `{"a":${"[".repeat(128)}${"]".repeat(128)}}` },
    { name: "100,001 keys", body: manyKeys(100_001) },
    { name: "an array of 200,000 items", body: `{"a":[${"0,".repeat(199_999)}0]}` },
  ])("$name: 413 HL_INTAKE_TOO_COMPLEX, counted, nothing ran", async ({ body }) => {
    const metrics = createMetrics();
    app = await createTestApp(EXAMPLE_CONFIG, { metrics });
    const res = await request(app.server)
      .post("/")
      .set("content-type", "application/json")
      .set("x-github-event", "push")
      .set("x-hub-signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(body);
    expect(res.status).toBe(413);
    expect((res.body as { code: string }).code).toBe("HL_INTAKE_TOO_COMPLEX");
    expect(await app.written()).toHaveLength(0);
    expect(await metrics.registry.getSingleMetricAsString("hookline_intake_refused_total")).toMatch(
      /hookline_intake_refused_total\{reason="too_complex"\} 1/,
    );
  });

  it("a real push is well within them", async () => {
    app = await createTestApp(EXAMPLE_CONFIG);
    const body = githubFixture("push");
    const res = await request(app.server)
      .post("/")
      .set("content-type", "application/json")
      .set("x-github-event", "push")
      .set("x-hub-signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(wire(body));
    expect(res.status).toBe(202);
  });
});
