import { loadCompiledOpenApi, type CompiledOpenApi } from "./openapi-compile.js";

/** Loaded on the first answer checked: files whose tests check none never load it. */
let compiled: CompiledOpenApi | undefined;

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
  compiled ??= loadCompiledOpenApi();
  const m = method.toLowerCase();
  if (!compiled.operations.includes(`${pathTemplate} ${m}`))
    return [`${method} ${pathTemplate} is not documented`];
  const answer = compiled.answers[`${pathTemplate} ${m} ${status}`];
  if (answer === undefined) return [`${method} ${pathTemplate} does not document ${status}`];
  const type = (contentType ?? "").split(";")[0]?.trim() ?? "";
  if (answer.types !== undefined && !answer.types.includes(type))
    return [`${status} is not documented as ${type}`];
  const validate =
    answer.validator === undefined ? undefined : compiled.validators[answer.validator];
  if (validate === undefined || type !== "application/json") return [];
  return validate(body)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

/** Every answer a test app gave that openapi.yaml does not describe, for the file's afterAll. */
export const openApiViolations: string[] = [];

const ADMIN_ROUTES: [RegExp, string][] = [
  [/^\/api\/v1\/events\/?$/, "/api/v1/events"],
  [/^\/api\/v1\/event-counts$/, "/api/v1/event-counts"],
  [/^\/api\/v1\/event-stream$/, "/api/v1/event-stream"],
  [/^\/api\/v1\/events\/[^/]+\/replay$/, "/api/v1/events/{id}/replay"],
  [/^\/api\/v1\/events\/[^/]+$/, "/api/v1/events/{id}"],
  [
    /^\/api\/v1\/runs\/[^/]+\/[^/]+\/[^/]+\/finish$/,
    "/api/v1/runs/{namespace}/{kind}/{name}/finish",
  ],
  [/^\/metrics$/, "/metrics"],
  [/^\/ui\/$/, "/ui/"],
  [/^\/ui\/events\/[^/]+\/replay$/, "/ui/events/{id}/replay"],
  [/^\/ui\/events\/[^/]+\/request\.http$/, "/ui/events/{id}/request.http"],
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
  let problems = checkAnswer(where.template, where.method, status, contentType, value);
  // A bodiless GET or HEAD on a listener path is documented as the GET (the landing page); any
  // other such request is an event, documented as the POST.
  if (port === "listener" && where.method === "POST" && (method === "GET" || method === "HEAD")) {
    const asGet = checkAnswer(where.template, "GET", status, contentType, value);
    if (asGet.length === 0) problems = asGet;
  }
  for (const problem of problems) {
    openApiViolations.push(`${port} ${method} ${path} ${status}: ${problem}`);
  }
}
