import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { ROOT } from "./fixtures.js";

interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
  components: { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
}

const spec = parse(readFileSync(join(ROOT, "openapi.yaml"), "utf8")) as OpenApi;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
// The whole document under one id, so schemas' "#/components/..." refs resolve inside it.
ajv.addSchema({ ...(spec as object), $id: "openapi.json" });
const compiled = new Map<string, ValidateFunction>();

/**
 * Checks an answer against openapi.yaml: the path template and method must be documented with
 * that status, and a JSON body must match its schema. Returns the problems (none = conforms).
 */
export function checkAnswer(
  pathTemplate: string,
  method: string,
  status: number,
  contentType: string | undefined,
  body: unknown,
): string[] {
  const operation = spec.paths[pathTemplate]?.[method.toLowerCase()] as Operation | undefined;
  if (operation === undefined) return [`${method} ${pathTemplate} is not documented`];
  let response = operation.responses[String(status)];
  if (response === undefined) return [`${method} ${pathTemplate} does not document ${status}`];
  if (response.$ref !== undefined)
    response = spec.components.responses[response.$ref.split("/").pop() ?? ""];
  const type = (contentType ?? "").split(";")[0]?.trim() ?? "";
  const media = response?.content?.[type];
  if (response?.content !== undefined && media === undefined)
    return [`${status} is not documented as ${type}`];
  if (media?.schema === undefined || type !== "application/json") return [];
  const key = `${pathTemplate} ${method} ${status}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajv.compile(withRefs(media.schema) as object);
    compiled.set(key, validate);
  }
  return validate(body)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

/** A schema copied out of the document, its local refs pointed back into it. */
function withRefs(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"openapi.json#/'),
  ) as unknown;
}

/** Every answer a test app gave that openapi.yaml does not describe, for the file's afterAll. */
export const openApiViolations: string[] = [];

const ADMIN_ROUTES: [RegExp, string][] = [
  [/^\/api\/v1\/events\/?$/, "/api/v1/events"],
  [/^\/api\/v1\/events\/[^/]+\/replay$/, "/api/v1/events/{id}/replay"],
  [/^\/api\/v1\/events\/[^/]+$/, "/api/v1/events/{id}"],
  [/^\/metrics$/, "/metrics"],
  [/^\/ui\/$/, "/ui/"],
  [/^\/ui\/events\/[^/]+\/replay$/, "/ui/events/{id}/replay"],
  [/^\/ui\/events\/[^/]+$/, "/ui/events/{id}"],
];

/** The documented path and method an answer belongs to, on either port. */
function templateOf(
  port: "listener" | "admin",
  method: string,
  path: string,
): { template: string; method: string } | undefined {
  if (port === "admin") {
    const hit = ADMIN_ROUTES.find(([re]) => re.test(path));
    return hit === undefined ? undefined : { template: hit[1], method };
  }
  if (method === "GET" && (path === "/live" || path === "/ready"))
    return { template: path, method };
  // The listener takes any method; openapi.yaml documents it as POST.
  if (/^\/listeners\/[^/]+\/[^/]+\/?$/.test(path))
    return { template: "/listeners/{namespace}/{name}", method: "POST" };
  return { template: "/{path}", method: "POST" };
}

/** Records an answer that does not match openapi.yaml (called for every answer of the test apps). */
export function recordAnswer(
  port: "listener" | "admin",
  method: string,
  url: string,
  status: number,
  contentType: string | undefined,
  body: Buffer,
): void {
  const path = url.split("?")[0] ?? "/";
  const where = templateOf(port, method, path);
  if (where === undefined) {
    openApiViolations.push(`${port} ${method} ${path}: not documented`);
    return;
  }
  let value: unknown = body.toString("utf8");
  if ((contentType ?? "").includes("json") && body.length > 0) {
    try {
      value = JSON.parse(body.toString("utf8")) as unknown;
    } catch {
      openApiViolations.push(`${port} ${method} ${path} ${status}: the JSON body does not parse`);
      return;
    }
  }
  for (const problem of checkAnswer(where.template, where.method, status, contentType, value)) {
    openApiViolations.push(`${port} ${method} ${path} ${status}: ${problem}`);
  }
}
