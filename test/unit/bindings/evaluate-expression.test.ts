import { describe, expect, it } from "vitest";
import { evaluate, makeEvent } from "./make-event.js";

const body = {
  a: "v",
  c: { d: "e" },
  num: 42,
  float: 1.5,
  big: 1e21,
  tiny: 1e-7,
  negzero: -0,
  flag: true,
  nothing: null,
  escapes: 'a"b\\c\nd\t<&>',
  unicode: "v\r\n烈",
  list: [{ k: 1 }, { k: 2 }, { k: 3 }],
  strings: ["x", "y", "z"],
  mixed: ["", null],
  unsorted: { z: 1, a: { y: 2, b: 3 }, m: [{ q: 1, p: 2 }] },
  child: [
    { a: "b", w: "1" },
    { a: "c", w: "2" },
    { a: "b", w: "3" },
  ],
  "x-y": "dash",
  "dev.tekton.dev/foo": "escaped-dots",
  "a/b:c": "slash-colon",
  "with space": "spaced",
  repository: {
    links: {
      clone: [
        { href: "https://bitbucket.example/scm/proj/repo.git", name: "http" },
        { href: "ssh://git@bitbucket.example:7999/proj/repo.git", name: "ssh" },
      ],
    },
  },
  changes: [{ ref: { id: "refs/heads/main", displayId: "main" } }],
  html: "<b>&</b>",
  emptyList: [],
  nested: { deep: { name: "d1" }, other: [{ name: "d2" }] },
};

const event = makeEvent({
  body,
  header: {
    "X-Github-Event": "push",
    "Header-One": "val1,val2",
    "Content-Type": "application/json",
  },
  extensions: { foo: { bar: ["zero", "one"] }, branch_name: "main", count: 3 },
  context: { eventID: "1c6a0b4e-9b3d-4f6e-8c53-5d3c1b2f0a11" },
});

describe("evaluateExpression: results", () => {
  it.each([
    { name: "a string is returned as-is", expr: "body.a", want: "v" },
    { name: "relaxed form .body.a", expr: ".body.a", want: "v" },
    { name: "relaxed form {body.a}", expr: "{body.a}", want: "v" },
    { name: "relaxed form {.body.a}", expr: "{.body.a}", want: "v" },
    {
      name: "a string is not JSON-escaped (decoded form)",
      expr: "body.escapes",
      want: 'a"b\\c\nd\t<&>',
    },
    { name: "non-ASCII and CRLF kept", expr: "body.unicode", want: "v\r\n烈" },
    { name: "an object is compact JSON with sorted keys", expr: "body.c", want: '{"d":"e"}' },
    {
      name: "nested objects sorted at every level",
      expr: "body.unsorted",
      want: '{"a":{"b":3,"y":2},"m":[{"p":2,"q":1}],"z":1}',
    },
    {
      name: "an object from a nested path",
      expr: "body.repository.links",
      want:
        '{"clone":[{"href":"https://bitbucket.example/scm/proj/repo.git","name":"http"},' +
        '{"href":"ssh://git@bitbucket.example:7999/proj/repo.git","name":"ssh"}]}',
    },
    { name: "a string result is never HTML-escaped", expr: "body.html", want: "<b>&</b>" },
    { name: "an integer has no .0", expr: "body.num", want: "42" },
    { name: "a float", expr: "body.float", want: "1.5" },
    { name: "large numbers in exponent form", expr: "body.big", want: "1e+21" },
    { name: "tiny numbers in exponent form", expr: "body.tiny", want: "1e-7" },
    { name: "negative zero as Go writes it", expr: "body.negzero", want: "-0" },
    { name: "a bool", expr: "body.flag", want: "true" },
    { name: "null", expr: "body.nothing", want: "null" },
    { name: "an index", expr: "body.list[1]", want: '{"k":2}' },
    { name: "a negative index", expr: "body.list[-1]", want: '{"k":3}' },
    { name: "a field after an index", expr: "body.list[0].k", want: "1" },
    { name: "an array is compact JSON", expr: "body.strings", want: '["x","y","z"]' },
    {
      name: "a slice with two results is an array",
      expr: "body.list[:2]",
      want: '[{"k":1},{"k":2}]',
    },
    { name: "[-1:] with one result is that value", expr: "body.list[-1:]", want: '{"k":3}' },
    { name: "a slice with a step", expr: "body.strings[0:3:2]", want: '["x","z"]' },
    { name: "a zero-length slice gives []", expr: "body.strings[1:1]", want: "[]" },
    { name: "[*] gives every element", expr: "body.list[*].k", want: "[1,2,3]" },
    { name: ".* over an object", expr: "body.c.*", want: "e" },
    { name: "a union of indexes", expr: "body.strings[0,2]", want: '["x","z"]' },
    { name: "a union of keys", expr: "body.c['d','d']", want: '["e","e"]' },
    { name: "['key'] reads a key", expr: "body['x-y']", want: "dash" },
    { name: "results with null and empty string", expr: "body.mixed[*]", want: '["",null]' },
    { name: "a filter", expr: "body.child[?(@.a == 'b')].w", want: '["1","3"]' },
    { name: "a filter with one match is the value", expr: "body.child[?(@.a=='c')].w", want: "2" },
    { name: "a filter with no match gives []", expr: "body.child[?(@.a=='zz')].w", want: "[]" },
    { name: "a filter with !=", expr: "body.child[?(@.a != 'b')].w", want: "2" },
    { name: "a numeric filter", expr: "body.list[?(@.k > 1)].k", want: "[2,3]" },
    { name: "a numeric filter with <=", expr: "body.list[?(@.k <= 1)]", want: '{"k":1}' },
    { name: "an existence filter", expr: "body.child[?(@.w)].a", want: '["b","c","b"]' },
    {
      name: "bitbucket clone URL by name",
      expr: 'body.repository.links.clone[?(@.name=="ssh")].href',
      want: "ssh://git@bitbucket.example:7999/proj/repo.git",
    },
    { name: "bitbucket displayId", expr: "body.changes[0].ref.displayId", want: "main" },
    { name: "recursive descent", expr: "body.nested..name", want: '["d1","d2"]' },
    { name: "x-y is one field name", expr: "body.x-y", want: "dash" },
    {
      name: "backslash escapes dots and slashes",
      expr: "body.dev\\.tekton\\.dev\\/foo",
      want: "escaped-dots",
    },
    { name: "/ and : are part of a name", expr: "body.a/b:c", want: "slash-colon" },
    { name: "a header, values joined with ','", expr: "header.Header-One", want: "val1,val2" },
    { name: "header names are canonicalised", expr: "header.x-github-event", want: "push" },
    { name: "header names ignore case", expr: "header.CONTENT-TYPE", want: "application/json" },
    {
      name: "the whole header map",
      expr: "header",
      want: '{"Content-Type":"application/json","Header-One":"val1,val2","X-Github-Event":"push"}',
    },
    {
      name: "context.eventID",
      expr: "context.eventID",
      want: "1c6a0b4e-9b3d-4f6e-8c53-5d3c1b2f0a11",
    },
    { name: "extensions with an index", expr: "extensions.foo.bar[1]", want: "one" },
    { name: "extensions number", expr: "extensions.count", want: "3" },
    { name: "an index on null gives no result", expr: "body.nothing[0]", want: "[]" },
  ])("$name", ({ expr, want }) => {
    expect(evaluate(expr, event)).toEqual({ ok: true, value: want });
  });

  it("gives the whole body as sorted compact JSON", () => {
    const result = evaluate("body", event);
    expect(
      result.ok && result.value.startsWith('{"a":"v","a/b:c":"slash-colon","big":1e+21,'),
    ).toBe(true);
  });

  it.each([
    { name: "a slice of a top-level array body", expr: "body[:2]", want: '[{"a":"b"},{"c":"d"}]' },
    { name: "an index of a top-level array body", expr: "body[1].c", want: "d" },
    { name: "a filter after recursive descent", expr: "body..items[?(@.n >= 2)].n", want: "[2,3]" },
  ])("$name", ({ expr, want }) => {
    const arrayEvent = makeEvent({
      body: [{ a: "b" }, { c: "d" }, { items: [{ n: 1 }, { n: 2 }, { n: 3 }] }],
    });
    expect(evaluate(expr, arrayEvent)).toEqual({ ok: true, value: want });
  });

  it.each([
    {
      // client-go's evalRecursive: a nil is skipped, a scalar has no children, "" and empty
      // containers neither; a non-empty string has children (its bytes) and is a result.
      name: "recursive descent keeps what has children, in document order",
      expr: "body.r..",
      want: '[{"a":null,"b":1,"c":"","d":"xy","e":[],"f":{},"g":[null,{"h":null,"i":"z"}]},"xy",[null,{"h":null,"i":"z"}],{"h":null,"i":"z"},"z"]',
    },
    { name: "recursive descent from a string", expr: "body.r.d..", want: "xy" },
    { name: "recursive descent from null", expr: "body.r.a..", want: "[]" },
    {
      name: "a wildcard keeps null children",
      expr: "body.r.g[*]",
      want: '[null,{"h":null,"i":"z"}]',
    },
    {
      name: ".* keeps null children",
      expr: "body.r.*",
      want: '[null,1,"","xy",[],{},[null,{"h":null,"i":"z"}]]',
    },
    {
      name: "an index after recursive descent fails on a string",
      expr: "body.m..[0]",
      error: "string is not array or slice",
    },
  ])("$name", ({ expr, want, error }) => {
    const nullEvent = makeEvent({
      body: {
        r: { a: null, b: 1, c: "", d: "xy", e: [], f: {}, g: [null, { h: null, i: "z" }] },
        m: [["a"]],
      },
    });
    expect(evaluate(expr, nullEvent)).toEqual(
      error === undefined ? { ok: true, value: want } : { ok: false, error },
    );
  });

  it("walks a deeply nested body without overflowing the stack", () => {
    let deep: unknown = { name: "leaf" };
    for (let i = 0; i < 20_000; i++) deep = { n: deep };
    const result = evaluate("body..name", makeEvent({ body: deep }));
    expect(result).toEqual({ ok: true, value: "leaf" });
  });

  it("escapes <, > and & inside JSON text as Go does", () => {
    expect(evaluate("body.child[?(@.a=='zz')]", makeEvent({ body: { child: [] } }))).toEqual({
      ok: true,
      value: "[]",
    });
    expect(evaluate("body", makeEvent({ body: { h: "<&>\u2028" } }))).toEqual({
      ok: true,
      value: '{"h":"\\u003c\\u0026\\u003e\\u2028"}',
    });
  });
});

describe("evaluateExpression: errors", () => {
  it.each([
    { name: "a missing key", expr: "body.missing", error: "missing is not found" },
    { name: "a missing nested key", expr: "body.c.missing", error: "missing is not found" },
    { name: "a missing extension", expr: "extensions.missing", error: "missing is not found" },
    { name: "a missing header", expr: "header.X-Nope", error: "X-Nope is not found" },
    { name: "a missing top-level name", expr: "bdy.ref", error: "bdy is not found" },
    { name: "a field of null", expr: "body.nothing.x", error: "x is not found" },
    { name: "a field of a string", expr: "body.a.length", error: "length is not found" },
    { name: "a field of an array", expr: "body.strings.length", error: "length is not found" },
    { name: "an empty field name: body.[0]", expr: "body.[0]", error: " is not found" },
    {
      name: "an index out of range",
      expr: "body.list[5]",
      error: "array index out of bounds: index 5, length 3",
    },
    {
      name: "a negative index out of range",
      expr: "body.list[-4]",
      error: "array index out of bounds: index -1, length 3",
    },
    {
      name: "a slice end out of range",
      expr: "body.list[0:9]",
      error: "array index out of bounds: index 8, length 3",
    },
    {
      name: "an index on an object",
      expr: "body.c[0]",
      error: "map[string]interface {} is not array or slice",
    },
    {
      name: "an index on a header string",
      expr: "header.Header-One[1]",
      error: "string is not array or slice",
    },
    {
      name: "a complex path with a missing prefix",
      expr: "body.missing[?(@.a)]",
      error: "missing is not found",
    },
    {
      name: "a filter on an object",
      expr: "body.c[?(@.a)]",
      error: "map[string]interface {} is not array or slice and cannot be filtered",
    },
    {
      name: "a filter comparing a missing key",
      expr: "body.list[?(@.x == 1)]",
      error: "x is not found",
    },
    {
      name: "a filter comparing different types",
      expr: "body.child[?(@.a == 1)]",
      error: "incompatible types for comparison",
    },
    {
      name: "a field after [*] that no element has",
      expr: "body.list[*].nope",
      error: "nope is not found",
    },
    {
      name: "a field of an empty body",
      expr: "body.x",
      error: "x is not found",
      event: makeEvent(),
    },
  ])("$name", ({ expr, error, event: override }) => {
    expect(evaluate(expr, override ?? event)).toEqual({ ok: false, error });
  });
});
