import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  ParamError,
  isRecord,
  type InterceptorRequest,
  type InterceptorResponse,
} from "../../src/interceptors/public.js";
import {
  fakeSecrets,
  makeContext,
  makeRequest,
  runInterceptor,
} from "../../test/support/interceptor-harness.js";
import { cel, parseCelParams } from "./index.js";
import { marshalJSON } from "./marshal-json.js";
import { setExtensionPath } from "./set-path.js";
import { toJSONValue, type JSONValue } from "./to-json.js";

// compareSecret's 3-argument form ignores its namespace: every lookup is in "default".
const secrets = fakeSecrets({
  "default/mysecret/token": "test-secret",
  "default/gh/token": "s3cr3t",
});
const secretCalls = secrets.calls;
const ctx = makeContext({ secrets });

interface RequestInit {
  body?: unknown;
  header?: Record<string, string[]>;
  extensions?: Record<string, unknown>;
  url?: string;
}

function request({ url, ...init }: RequestInit = {}): InterceptorRequest {
  return makeRequest({
    ...init,
    context: { event_url: url ?? "/", event_id: "ev-1", trigger_id: "tr-1" },
  });
}

async function run(
  params: Record<string, unknown>,
  init: RequestInit = {},
): Promise<InterceptorResponse> {
  return runInterceptor(cel, params, request(init), ctx);
}

const push = { "X-Github-Event": ["push"], "Content-Type": ["application/json"] };
const prBody = {
  action: "opened",
  ref: "refs/heads/main",
  count: 2,
  ratio: 1.5,
  sizes: [1, 5, 3],
  labels: ["bug", "ci"],
  pull_request: { head: { sha: "0123456789abcdef" }, title: "Fix <b>" },
  changed: "controllers/a.go,docs/b.md",
};

describe("filter", () => {
  it.each([
    { name: "true literal", filter: "true", want: true },
    { name: "false literal", filter: "false", want: false },
    { name: "non-bool result is not true", filter: "'yes'", want: false },
    {
      name: "header.match with GitHub's spelling",
      filter: "header.match('X-GitHub-Event', 'push')",
      want: true,
    },
    {
      name: "header.match lower-case key",
      filter: "header.match('x-github-event', 'push')",
      want: true,
    },
    {
      name: "header.match other value",
      filter: "header.match('X-GitHub-Event', 'pull_request')",
      want: false,
    },
    {
      name: "header.canonical",
      filter: "header.canonical('X-GitHub-Event') == 'push'",
      want: true,
    },
    {
      name: "header.canonical missing is empty",
      filter: "header.canonical('X-Nope') == ''",
      want: true,
    },
    { name: "Go-canonical index", filter: "header['X-Github-Event'][0] == 'push'", want: true },
    { name: "body string field", filter: "body.action == 'opened'", want: true },
    {
      name: "in list (Tekton example)",
      filter: "body.action in ['opened', 'synchronize', 'reopened']",
      want: true,
    },
    { name: "not in list", filter: "body.action in ['closed']", want: false },
    { name: "JSON number > int", filter: "body.count > 1", want: true },
    { name: "JSON number == int", filter: "body.count == 2", want: true },
    { name: "JSON number == double", filter: "body.count == 2.0", want: true },
    { name: "JSON number < uint", filter: "body.count < 3u", want: true },
    { name: "JSON double field", filter: "body.ratio > 1 && body.ratio < 2", want: true },
    { name: "startsWith", filter: "body.ref.startsWith('refs/heads/')", want: true },
    { name: "endsWith", filter: "body.ref.endsWith('/main')", want: true },
    { name: "contains", filter: "body.ref.contains('heads')", want: true },
    { name: "matches", filter: "body.changed.matches('controllers/')", want: true },
    { name: "size", filter: "size(body.labels) == 2 && body.ref.size() == 15", want: true },
    { name: "exists macro", filter: "body.labels.exists(l, l == 'ci')", want: true },
    { name: "has macro", filter: "has(body.pull_request.head) && !has(body.nope)", want: true },
    { name: "split", filter: "body.ref.split('/')[2] == 'main'", want: true },
    { name: "requestURL", filter: "requestURL.parseURL().query['x'] == '1'", want: true },
    {
      name: "extensions from earlier interceptors",
      filter: "extensions.changed_files.matches('controllers/')",
      want: true,
    },
    { name: "sets.contains", filter: "sets.contains(body.labels, ['ci'])", want: true },
    { name: "math.greatest mixed", filter: "math.greatest(1, body.count, 0.5) == 2", want: true },
    // JSON numbers are doubles; Tekton's cel-go compares them with ints and doubles alike.
    {
      name: "math.greatest of a payload list",
      filter: "math.greatest(body.sizes) == 5",
      want: true,
    },
    { name: "math.greatest == 5.0", filter: "math.greatest(body.sizes) == 5.0", want: true },
    { name: "math.least of a payload list", filter: "math.least(body.sizes) == 1", want: true },
    { name: "math.greatest of one number", filter: "math.greatest(body.count) == 2", want: true },
    {
      name: "math.greatest of a literal list",
      filter: "math.greatest([1, 7, 3]) == 7",
      want: true,
    },
    {
      name: "match on a map of string lists",
      filter: "{'X-A': ['b']}.match('x-a', 'b')",
      want: true,
    },
  ])("$name", async ({ filter, want }) => {
    const res = await run(
      { filter },
      {
        body: prBody,
        header: push,
        extensions: { changed_files: "controllers/x.go" },
        url: "/hook?x=1",
      },
    );
    if (want) {
      expect(res).toEqual({ continue: true });
    } else {
      expect(res).toEqual({
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message: `expression ${filter} did not return true`,
        },
      });
    }
  });
});

describe("overlays", () => {
  it.each([
    {
      name: "truncate",
      key: "short",
      expression: "body.pull_request.head.sha.truncate(7)",
      want: { short: "0123456" },
    },
    {
      name: "truncate past the end",
      key: "s",
      expression: "'abc'.truncate(10)",
      want: { s: "abc" },
    },
    { name: "nested key a.b", key: "a.b", expression: "body.action", want: { a: { b: "opened" } } },
    {
      name: "Tekton quirk: extensions.x nests",
      key: "extensions.x",
      expression: "1",
      want: { extensions: { x: 1 } },
    },
    { name: "escaped dot", key: "a\\.b", expression: "true", want: { "a.b": true } },
    {
      name: "numeric part creates an array",
      key: "list.1",
      expression: "'x'",
      want: { list: [null, "x"] },
    },
    {
      name: "split index",
      key: "branch",
      expression: "body.ref.split('/')[2]",
      want: { branch: "main" },
    },
    {
      name: "split with limit",
      key: "parts",
      expression: "'a/b/c'.split('/', 2)",
      want: { parts: ["a", "b/c"] },
    },
    {
      name: "translate with $1",
      key: "t",
      expression: "body.ref.translate('^refs/heads/(.*)$', 'branch-$1')",
      want: { t: "branch-main" },
    },
    {
      name: "parseJSON",
      key: "j",
      expression: '\'{"a": {"b": [1, 2.5]}}\'.parseJSON().a',
      want: { j: { b: [1, 2.5] } },
    },
    {
      name: "parseYAML",
      key: "y",
      expression: "'a: 1\\nb: yes'.parseYAML()",
      want: { y: { a: 1, b: true } },
    },
    {
      name: "parseURL",
      key: "u",
      expression: "'https://me:pw@example.com:8443/a%20b?x=1&x=2&y=z#frag'.parseURL()",
      want: {
        u: {
          scheme: "https",
          host: "example.com:8443",
          path: "/a b",
          rawQuery: "x=1&x=2&y=z",
          fragment: "frag",
          queryStrings: { x: ["1", "2"], y: ["z"] },
          query: { x: "1,2", y: "z" },
          auth: { username: "me", password: "pw" },
        },
      },
    },
    {
      name: "parseURL without userinfo has no auth",
      key: "u",
      expression: "'auth' in 'http://h/p'.parseURL()",
      want: { u: false },
    },
    {
      name: "marshalJSON map sorted and escaped",
      key: "m",
      expression: "{'b': 1, 'a': body.pull_request.title}.marshalJSON()",
      want: { m: '{"a":"Fix \\u003cb\\u003e","b":1}' },
    },
    {
      name: "marshalJSON list",
      key: "m",
      expression: "body.labels.marshalJSON()",
      want: { m: '["bug","ci"]' },
    },
    { name: "first", key: "f", expression: "body.labels.first()", want: { f: "bug" } },
    { name: "last", key: "l", expression: "body.labels.last()", want: { l: "ci" } },
    { name: "first of empty is null", key: "f", expression: "[].first()", want: { f: null } },
    {
      name: "base64.encode",
      key: "e",
      expression: "base64.encode(b'hello')",
      want: { e: "aGVsbG8=" },
    },
    {
      name: "base64.decode gives bytes -> base64 JSON",
      key: "d",
      expression: "base64.decode('aGVsbG8=')",
      want: { d: "aGVsbG8=" },
    },
    {
      name: "string(base64.decode)",
      key: "d",
      expression: "string(base64.decode('aGVsbG8='))",
      want: { d: "hello" },
    },
    {
      name: "decodeb64 alias",
      key: "d",
      expression: "'aGVsbG8='.decodeb64()",
      want: { d: "hello" },
    },
    { name: "int result", key: "n", expression: "1 + 2", want: { n: 3 } },
    { name: "double result", key: "n", expression: "body.count + 1.0", want: { n: 3 } },
    {
      name: "map result",
      key: "m",
      expression: "{'k': [1, 'two', null]}",
      want: { m: { k: [1, "two", null] } },
    },
    {
      name: "string ext",
      key: "s",
      expression: "'Hello'.lowerAscii().replace('l', 'L', 1) + 'abc'.charAt(2) + 'ab'.reverse()",
      want: { s: "heLlocba" },
    },
    {
      name: "join and substring",
      key: "s",
      expression: "body.labels.join(',') + body.ref.substring(5, 10)",
      want: { s: "bug,ciheads" },
    },
  ])("$name", async ({ key, expression, want }) => {
    const res = await run({ overlays: [{ key, expression }] }, { body: prBody, header: push });
    expect(res).toEqual({ continue: true, extensions: want });
  });

  it("evaluates every overlay against the same activation and never touches the body", async () => {
    const req = request({ body: prBody, extensions: { prior: "yes" } });
    const params = cel.parseParams({
      overlays: [
        { key: "a", expression: "'first'" },
        { key: "sawA", expression: "has(extensions.a)" },
        { key: "prior", expression: "extensions.prior" },
        { key: "a", expression: "'overwritten'" },
      ],
    });
    const res = await cel.process(req, params, ctx);
    expect(res).toEqual({
      continue: true,
      extensions: { a: "overwritten", sawA: false, prior: "yes" },
    });
    expect(JSON.parse(req.body.toString("utf8"))).toEqual(prBody);
  });

  it("accepts an empty body as {} and matches param names case-insensitively", async () => {
    const res = await run({ Overlays: [{ Key: "k", EXPRESSION: "size(body)" }] });
    expect(res).toEqual({ continue: true, extensions: { k: 0 } });
  });
});

describe("compareSecret", () => {
  it.each([
    {
      name: "Tekton example matches",
      filter: "'test-secret'.compareSecret('token', 'mysecret')",
      code: undefined,
    },
    {
      name: "header token matches",
      filter: "header.canonical('X-Token').compareSecret('token', 'gh')",
      code: undefined,
    },
    {
      name: "3-arg form ignores the namespace",
      filter: "'s3cr3t'.compareSecret('token', 'gh', 'other-ns')",
      code: undefined,
    },
    {
      name: "wrong value",
      filter: "'nope'.compareSecret('token', 'gh')",
      code: "FAILED_PRECONDITION",
    },
    {
      name: "missing secret",
      filter: "'x'.compareSecret('token', 'absent')",
      code: "INVALID_ARGUMENT",
    },
    {
      name: "missing secret in an untaken branch",
      filter: "true || 'x'.compareSecret('token', 'absent')",
      code: undefined,
    },
  ])("$name", async ({ filter, code }) => {
    secretCalls.length = 0;
    const res = await run({ filter }, { header: { "X-Token": ["s3cr3t"] } });
    if (code === undefined) expect(res).toEqual({ continue: true });
    else expect(res).toMatchObject({ continue: false, status: { code } });
    expect(res).not.toHaveProperty("authFailure");
    expect(secretCalls.every((c) => c.ns === "default")).toBe(true);
    if (!res.continue) expect(res.status.message).not.toContain("s3cr3t");
  });
});

describe("runtime errors", () => {
  it.each([
    {
      name: "missing key",
      params: { filter: "body.missing == 1" },
      body: {},
      message:
        'error evaluating cel expression: expression "body.missing == 1" failed to evaluate: no such key: missing',
    },
    {
      name: "parseJSON of a non-object",
      params: { overlays: [{ key: "x", expression: "'[1]'.parseJSON()" }] },
      body: {},
      message: `error evaluating cel expression: expression "'[1]'.parseJSON()" failed to evaluate: failed to decode '[1]' in parseJSON: json: cannot unmarshal array into Go value of type map[string]interface {}`,
    },
    {
      name: "bad translate regex (computed, so found at run time)",
      params: { overlays: [{ key: "x", expression: "'a'.translate(body.re, 'b')" }] },
      body: { re: "(" },
      message: `error evaluating cel expression: expression "'a'.translate(body.re, 'b')" failed to evaluate: failed to parse regular expression for translation`,
    },
    {
      // Tekton converts the map to an http.Header first, which a payload is not.
      name: "match on the body, not a header",
      params: { filter: "body.match('action', 'opened')" },
      body: { action: "opened" },
      message: `error evaluating cel expression: expression "body.match('action', 'opened')" failed to evaluate: failed to convert to http.Header: string at action is not a list of strings`,
    },
    {
      name: "canonical on the body, not a header",
      params: { overlays: [{ key: "x", expression: "body.canonical('action')" }] },
      body: { action: "opened" },
      message: `error evaluating cel expression: expression "body.canonical('action')" failed to evaluate: failed to convert to http.Header: string at action is not a list of strings`,
    },
    {
      name: "body is a JSON array",
      params: { filter: "true" },
      body: [1],
      message:
        "error making the evaluation context: failed to parse the body as JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
    },
  ])("$name", async ({ params, body, message }) => {
    const res = await run(params, { body });
    expect(res).toEqual({ continue: false, status: { code: "INVALID_ARGUMENT", message } });
  });

  it("rejects a body that is not JSON", async () => {
    const res = await run({ filter: "true" }, { body: "{not json" });
    expect(res).toMatchObject({ continue: false, status: { code: "INVALID_ARGUMENT" } });
    if (!res.continue)
      expect(res.status.message).toMatch(
        /^error making the evaluation context: failed to parse the body as JSON: /,
      );
  });
});

describe("load-time errors", () => {
  it.each([
    {
      name: "parse error in filter",
      params: { filter: "body.action ==" },
      field: "filter",
      offset: 14,
    },
    {
      name: "check error in filter",
      params: { filter: "body.x == 1 && 1 + 'a'" },
      field: "filter",
      offset: 15,
    },
    {
      name: "parse error in the second overlay",
      params: {
        overlays: [
          { key: "a", expression: "1" },
          { key: "b", expression: "body.(x" },
        ],
      },
      field: "overlays[1].expression",
      offset: 5,
    },
    {
      name: "compareSecret with a computed name",
      params: { filter: "'x'.compareSecret('k', body.name)" },
      field: "filter",
      offset: 0,
    },
    {
      name: "cel.bind is refused",
      params: { filter: "cel.bind(a, 1, a == 1)" },
      field: "filter",
      offset: 0,
    },
    {
      name: "three nested comprehensions",
      params: { filter: "[[[1]]].all(a, a.all(b, b.all(c, c > 0)))" },
      field: "filter",
      offset: 24,
    },
    {
      name: "backreference in a matches literal",
      params: { filter: "body.a.matches('(a)\\\\1')" },
      field: "filter",
      offset: 15,
    },
    {
      name: "lookahead in a translate literal, in an overlay",
      params: { overlays: [{ key: "x", expression: "body.a.translate('a(?=b)', 'c')" }] },
      field: "overlays[0].expression",
      offset: 17,
    },
    {
      name: "AST too deep",
      params: { filter: "(".repeat(40) + "1" + ")".repeat(40) },
      field: "filter",
      offset: 32,
    },
    { name: "unknown param", params: { filtr: "true" }, field: "filtr", offset: undefined },
    { name: "neither filter nor overlays", params: {}, field: "filter", offset: undefined },
    {
      name: "empty filter and no overlays",
      params: { filter: "" },
      field: "filter",
      offset: undefined,
    },
    { name: "filter not a string", params: { filter: true }, field: "filter", offset: undefined },
    {
      name: "overlays not a list",
      params: { overlays: "x" },
      field: "overlays",
      offset: undefined,
    },
    {
      name: "unknown overlay field",
      params: { overlays: [{ key: "a", expression: "1", value: 2 }] },
      field: "overlays[0].value",
      offset: undefined,
    },
    {
      name: "overlay without key",
      params: { overlays: [{ expression: "1" }] },
      field: "overlays[0].key",
      offset: undefined,
    },
    {
      name: "overlay key with a wildcard",
      params: { overlays: [{ key: "a.*", expression: "1" }] },
      field: "overlays[0].key",
      offset: undefined,
    },
  ])("$name", ({ params, field, offset }) => {
    let caught: unknown;
    try {
      parseCelParams(params);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParamError);
    expect(caught).toMatchObject({ field, offset });
  });
});

describe("Tekton's example expressions", () => {
  const root = "/work/shared/tekton-examples/v1beta1";
  const found = collectCelParams(root);
  it("finds the cel interceptors in the examples", () => {
    expect(found.length).toBeGreaterThanOrEqual(8);
  });
  it.each(found)("$name parses and checks at load", ({ params }) => {
    expect(() => parseCelParams(params)).not.toThrow();
  });
});

describe("toJSONValue", () => {
  it.each([
    { name: "string", value: "s", want: "s" },
    { name: "bigint", value: 42n, want: 42 },
    { name: "double", value: 2.5, want: 2.5 },
    { name: "bool", value: false, want: false },
    { name: "null", value: null, want: null },
    { name: "bytes", value: new Uint8Array([104, 105]), want: "aGk=" },
    { name: "list", value: [1n, "a"], want: [1, "a"] },
    { name: "Map", value: new Map<unknown, unknown>([["a", [true]]]), want: { a: [true] } },
    { name: "timestamp", value: new Date("2024-01-02T03:04:05Z"), want: "2024-01-02T03:04:05Z" },
  ])("$name", ({ value, want }) => {
    expect(toJSONValue(value)).toEqual(want);
  });

  it("refuses NaN", () => {
    expect(() => toJSONValue(NaN)).toThrow(/NaN/);
  });

  it("marshalJSON sorts keys and formats numbers like Go", () => {
    expect(marshalJSON({ z: 1e-7, a: [1n, "&"] })).toBe('{"a":[1,"\\u0026"],"z":1e-07}');
  });
});

describe("setExtensionPath", () => {
  it.each([
    { name: "top-level key", start: {}, path: "a", want: { a: 1 } },
    { name: "nested", start: { a: { x: 0 } }, path: "a.b", want: { a: { x: 0, b: 1 } } },
    { name: "escaped dot", start: {}, path: "a\\.b.c", want: { "a.b": { c: 1 } } },
    {
      name: "index into an existing array",
      start: { l: [0, 0] },
      path: "l.1",
      want: { l: [0, 1] },
    },
    { name: "append with -1", start: { l: [0] }, path: "l.-1", want: { l: [0, 1] } },
    { name: "pad past the end", start: { l: [0] }, path: "l.3", want: { l: [0, null, null, 1] } },
    { name: "new -1 makes an array", start: {}, path: "l.-1", want: { l: [1] } },
    {
      name: "scalar in the way is replaced",
      start: { a: "s" },
      path: "a.b",
      want: { a: { b: 1 } },
    },
    { name: "forced string key", start: {}, path: "a.:0", want: { a: { "0": 1 } } },
    {
      name: "__proto__ is data",
      start: {},
      path: "__proto__.x",
      want: JSON.parse('{"__proto__":{"x":1}}') as JSONValue,
    },
  ])("$name", ({ start, path, want }) => {
    const obj = structuredClone(start) as Record<string, JSONValue>;
    setExtensionPath(obj, path, 1);
    expect(obj).toEqual(want);
  });

  it("refuses a non-numeric key on an array", () => {
    expect(() => setExtensionPath({ l: [] }, "l.x", 1)).toThrow(/non-numeric key 'x'/);
  });
});

/** Every `cel` interceptor's params in the example YAML files, as parseParams receives them. */
function collectCelParams(dir: string): { name: string; params: Record<string, unknown> }[] {
  const out: { name: string; params: Record<string, unknown> }[] = [];
  const visit = (node: unknown, file: string): void => {
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) visit(item, file);
      return;
    }
    if (!isRecord(node)) return;
    const ref = node["ref"];
    if (isRecord(ref) && ref["name"] === "cel" && Array.isArray(node["params"])) {
      const params: Record<string, unknown> = {};
      for (const p of node["params"] as unknown[])
        if (isRecord(p) && typeof p["name"] === "string") params[p["name"]] = p["value"];
      out.push({ name: `${file} #${out.length}`, params });
    }
    for (const value of Object.values(node)) visit(value, file);
  };
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry)) {
        for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
          if ("toJS" in doc) visit(doc.toJS(), path.slice(dir.length + 1));
        }
      }
    }
  };
  walk(dir);
  return out;
}
