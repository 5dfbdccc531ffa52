import { describe, expect, it } from "vitest";
import type { InterceptorResponse } from "../../src/interceptors/public.js";
import {
  makeContext,
  makeRequest,
  runInterceptor,
} from "../../test/support/interceptor-harness.js";
import { cel } from "./index.js";
import { toCelMap, toCelValue } from "./cel-value.js";

/**
 * Payload objects behave as plain maps whatever their keys (issue 11 item 6): names that
 * JavaScript objects already have, at every depth, through every way CEL reads a map.
 */
const KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"] as const;

/** The body as JSON text, so that `__proto__` is an own key, as it is in a parsed payload. */
function bodyText(k: string): string {
  return `{"${k}":"v","a":1,"n":{"${k}":{"x":2},"a":1},"l":[{"${k}":"w","a":3}],"m":{"a":1}}`;
}

async function overlay(
  expression: string,
  body: string,
  extensions: Record<string, unknown> = {},
): Promise<InterceptorResponse> {
  return runInterceptor(
    cel,
    { overlays: [{ key: "r", expression }] },
    makeRequest({ body, extensions }),
    makeContext(),
  );
}

/** The overlay's result, or the rejection message (so that a failure shows why). */
async function result(
  expression: string,
  body: string,
  extensions?: Record<string, unknown>,
): Promise<unknown> {
  const res = await overlay(expression, body, extensions);
  if (!res.continue) return `rejected: ${res.status.message}`;
  return res.extensions?.["r"];
}

describe.each(KEYS)("a payload key named %s", (k) => {
  const body = bodyText(k);

  it.each([
    { name: "field access, top level", expression: `body.${k} == 'v'`, want: true },
    { name: "index access, top level", expression: `body['${k}'] == 'v'`, want: true },
    { name: "an ordinary field beside it", expression: "body.a == 1.0", want: true },
    { name: "has(), top level", expression: `has(body.${k})`, want: true },
    { name: "has() where it is missing", expression: `has(body.m.${k})`, want: false },
    { name: "in, top level", expression: `'${k}' in body`, want: true },
    { name: "in where it is missing", expression: `'${k}' in body.m`, want: false },
    { name: "field access, nested", expression: `body.n.${k}.x == 2.0`, want: true },
    { name: "in, nested", expression: `'${k}' in body.n`, want: true },
    { name: "inside a list", expression: `body.l[0].${k}`, want: "w" },
    { name: "exists over a list", expression: `body.l.exists(e, '${k}' in e)`, want: true },
    { name: "all over a list", expression: `body.l.all(e, e.${k} == 'w')`, want: true },
    { name: "map over a list", expression: "body.l.map(e, e.a)", want: [3] },
    { name: "exists over the keys", expression: `body.exists(x, x == '${k}')`, want: true },
    { name: "all over nested keys", expression: `body.n.all(x, x in ['a', '${k}'])`, want: true },
    { name: "map over the keys", expression: "body.map(x, x)", want: [k, "a", "n", "l", "m"] },
    { name: "filter over the keys", expression: `body.filter(x, x == '${k}')`, want: [k] },
    { name: "size, top level", expression: "size(body)", want: 5 },
    { name: "size, nested", expression: "body.n.size()", want: 2 },
    { name: "equality with a literal", expression: "body.m == {'a': 1.0}", want: true },
  ])("$name", async ({ expression, want }) => {
    expect(await result(expression, body)).toEqual(want);
  });

  it("marshalJSON keeps the key, sorted as Go sorts it", async () => {
    const want = `{${[`"${k}":{"x":2}`, `"a":1`].sort().join(",")}}`;
    expect(await result("body.n.marshalJSON()", body)).toBe(want);
    expect(await result("body.l.marshalJSON()", body)).toBe(
      `[{${[`"${k}":"w"`, `"a":3`].sort().join(",")}}]`,
    );
  });

  it("an overlay writes the key back into extensions as an own key", async () => {
    const n = await result("body.n", body);
    expect(JSON.stringify(n)).toBe(`{"${k}":{"x":2},"a":1}`);
    expect(Object.hasOwn(n as object, k)).toBe(true);
    expect(Object.getPrototypeOf(n)).toBe(Object.prototype);
    const all = await result("body", body);
    expect(JSON.stringify(all)).toBe(body);
  });

  it("an overlay at the key sets that key", async () => {
    const res = await runInterceptor(
      cel,
      {
        overlays: [
          { key: k, expression: "body.a" },
          { key: `n.${k}`, expression: "body.a" },
        ],
      },
      makeRequest({ body }),
      makeContext(),
    );
    expect(res.continue).toBe(true);
    expect(JSON.stringify(res.continue ? res.extensions : undefined)).toBe(
      `{"${k}":1,"n":{"${k}":1}}`,
    );
  });

  it("extensions from an earlier interceptor holding the key read as a map", async () => {
    const extensions = JSON.parse(`{"${k}":1,"e":{"${k}":"v"},"l":[{"${k}":2}]}`) as Record<
      string,
      unknown
    >;
    expect(
      await result(
        `extensions.${k} == 1.0 && extensions.e.${k} == 'v' && extensions.l[0].${k} == 2.0 && size(extensions) == 3`,
        "{}",
        extensions,
      ),
    ).toBe(true);
    // The same extensions a second time (memoised per value) give the same answer.
    expect(await result(`'${k}' in extensions.e`, "{}", extensions)).toBe(true);
  });

  it("the filter sees the key too", async () => {
    const res = await runInterceptor(
      cel,
      { filter: `body.${k} == 'v' && body.l.exists(e, e.${k} == 'w')` },
      makeRequest({ body }),
      makeContext(),
    );
    expect(res).toEqual({ continue: true });
  });

  it("parseJSON and parseYAML results hold the key as a map", async () => {
    const json = JSON.stringify(`{"${k}": {"${k}": 1}}`);
    expect(await result(`${json}.parseJSON().${k}.${k} == 1.0`, "{}")).toBe(true);
    const yaml = JSON.stringify(`${k}:\n  ${k}: 1\n`);
    expect(await result(`${yaml}.parseYAML().${k}.${k} == 1.0`, "{}")).toBe(true);
  });

  it("parseURL's query and queryStrings hold the key", async () => {
    const url = `'https://h/p?${k}=1&${k}=2'.parseURL()`;
    expect(await result(`${url}.query.${k}`, "{}")).toBe("1,2");
    expect(await result(`${url}.queryStrings.${k}`, "{}")).toEqual(["1", "2"]);
  });

  it("an escaped spelling of the key in the JSON text is found too", async () => {
    const escaped = `{"${k.replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}":"v"}`;
    expect(await result(`body.${k} == 'v' && size(body) == 1`, escaped)).toBe(true);
  });
});

describe("toCelValue", () => {
  it("hands a payload without unsafe keys over as it is (no copy)", () => {
    const text = '{"a":{"b":[{"toString":1}]},"c":"constructor"}';
    const body = JSON.parse(text) as object;
    expect(toCelValue(body, Buffer.from(text))).toBe(body);
    expect(toCelValue(body)).toBe(body);
  });

  it("converts once per body: every trigger of an event shares the conversion", () => {
    const text = '{"a":{"constructor":1},"b":{"c":2}}';
    const body = JSON.parse(text) as { a: object; b: object };
    const first = toCelValue(body, Buffer.from(text));
    expect(first).not.toBe(body);
    expect(toCelValue(body, Buffer.from(text))).toBe(first);
    const converted = first as Record<string, unknown>;
    expect(converted["a"]).toBeInstanceOf(Map);
    expect(converted["b"]).toBe(body.b); // untouched subtrees are shared
  });

  it("walks a deeply nested payload without overflowing the stack", () => {
    const depth = 200_000;
    const text = "[".repeat(depth) + "]".repeat(depth);
    const body = JSON.parse(text) as unknown[];
    expect(toCelValue(body)).toBe(body);
  });

  it("makes a record with an own constructor key a Map, and leaves __proto__ (read as data) alone", () => {
    const record = JSON.parse('{"constructor":1}') as Record<string, unknown>;
    expect(toCelMap(record)).toEqual(new Map([["constructor", 1]]));
    const proto = JSON.parse('{"__proto__":1}') as Record<string, unknown>;
    expect(toCelMap(proto)).toBe(proto);
    const plain = { a: 1 };
    expect(toCelMap(plain)).toBe(plain);
  });
});
