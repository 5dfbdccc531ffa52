import { readFileSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/test-app.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  ROOT,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";

interface Schema {
  required?: string[];
  properties?: Record<string, { enum?: string[]; const?: string }>;
}
interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, unknown> | { $ref: string } }>>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, { content: Record<string, { schema: Schema | { $ref: string } }> }>;
  };
}

const spec = parse(readFileSync(join(ROOT, "openapi.yaml"), "utf8")) as Spec;

/** The schema openapi.yaml gives for a status of the default listener's path. */
function schemaFor(status: number): Schema {
  const responses = spec.paths["/{path}"]?.["post"]?.responses as Record<string, { $ref: string }>;
  const ref = responses[String(status)]?.$ref;
  expect(ref, `openapi.yaml documents ${status}`).toBeDefined();
  const response = spec.components.responses[(ref ?? "").split("/").pop() ?? ""];
  const schema = response?.content["application/json"]?.schema as Schema | { $ref: string };
  return "$ref" in schema
    ? (spec.components.schemas[schema.$ref.split("/").pop() ?? ""] as Schema)
    : schema;
}

function expectConforms(body: Record<string, unknown>, schema: Schema): void {
  for (const key of schema.required ?? [])
    expect(body, `required field ${key}`).toHaveProperty(key);
  for (const [key, value] of Object.entries(body)) {
    const prop = schema.properties?.[key];
    expect(prop, `field ${key} is documented`).toBeDefined();
    if (prop?.enum !== undefined) expect(prop.enum).toContain(value);
    if (prop?.const !== undefined) expect(value).toBe(prop.const);
  }
}

describe("the listener's real answers match openapi.yaml", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp(EXAMPLE_CONFIG, { maxBodyBytes: 10_000 });
  });
  afterAll(async () => app.close());

  it("202", async () => {
    const body = githubFixture("push");
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
      .send(wire(body));
    expect(res.status).toBe(202);
    expectConforms(res.body as Record<string, unknown>, schemaFor(202));
  });

  it("400", async () => {
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .send("[]");
    expect(res.status).toBe(400);
    expectConforms(res.body as Record<string, unknown>, schemaFor(400));
  });

  it("401", async () => {
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-GitHub-Event", "push")
      .send(wire(githubFixture("push")));
    expect(res.status).toBe(401);
    expectConforms(res.body as Record<string, unknown>, schemaFor(401));
  });

  it("413", async () => {
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .send(`{"a":"${"x".repeat(20_000)}"}`);
    expect(res.status).toBe(413);
    expectConforms(res.body as Record<string, unknown>, schemaFor(413));
  });

  it("404", async () => {
    const res = await request(app.server).post("/listeners/nowhere/none").send("{}");
    expect(res.status).toBe(404);
    expectConforms(res.body as Record<string, unknown>, schemaFor(404));
  });
});
