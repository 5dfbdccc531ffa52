import { describe, expect, it } from "vitest";
import {
  compileBindingValue,
  decodeStaticText,
  resolveParams,
  type ResolveParamsInput,
  type TemplateParamSpec,
} from "../../../src/bindings/index.js";
import { makeEvent } from "./make-event.js";

const event = makeEvent({
  body: {
    ref: "refs/heads/main",
    repo: { name: "hookline" },
    quote: 'say "hi"',
    obj: { b: 1, a: 2 },
  },
  header: { "X-Github-Event": "push" },
});

function input(
  bindings: Record<string, string> | [string, string][],
  templateParams: TemplateParamSpec[] | undefined,
  oldEscapeQuotes = false,
): ResolveParamsInput {
  const pairs = Array.isArray(bindings) ? bindings : Object.entries(bindings);
  return {
    bindings: pairs.map(([name, value]) => ({ name, value: compileBindingValue(value) })),
    templateParams,
    event,
    oldEscapeQuotes,
  };
}

describe("resolveParams", () => {
  it.each([
    {
      name: "binding values, several expressions in one value",
      input: input(
        { ref: "$(body.ref)", both: "$(body.repo.name)@$(header.x-github-event)" },
        undefined,
      ),
      want: [
        {
          name: "ref",
          value: "refs/heads/main",
          source: { kind: "binding", expression: "$(body.ref)" },
        },
        {
          name: "both",
          value: "hookline@push",
          source: { kind: "binding", expression: "$(body.repo.name)@$(header.x-github-event)" },
        },
      ],
    },
    {
      name: "defaults first, a binding overwrites its default in place, undeclared binding params kept",
      input: input({ ref: "$(body.ref)", extra: "x" }, [
        { name: "ref", default: "main" },
        { name: "nodefault" },
        { name: "region", default: "eu" },
      ]),
      want: [
        {
          name: "ref",
          value: "refs/heads/main",
          source: { kind: "binding", expression: "$(body.ref)" },
        },
        { name: "region", value: "eu", source: { kind: "default" } },
        { name: "extra", value: "x", source: { kind: "binding", expression: "x" } },
      ],
    },
    {
      name: "a failed expression takes the default; static text around it stays",
      input: input({ ref: "pre-$(body.missing)-$(body.ref)" }, [{ name: "ref", default: "main" }]),
      want: [
        {
          name: "ref",
          value: "pre-main-refs/heads/main",
          source: {
            kind: "binding-default",
            expression: "pre-$(body.missing)-$(body.ref)",
            reason: "$(body.missing): missing is not found",
          },
        },
      ],
    },
    {
      name: "an object result is compact sorted JSON; a string with quotes is not escaped",
      input: input({ obj: "$(body.obj)", quote: "$(body.quote)" }, undefined),
      want: [
        {
          name: "obj",
          value: '{"a":2,"b":1}',
          source: { kind: "binding", expression: "$(body.obj)" },
        },
        {
          name: "quote",
          value: 'say "hi"',
          source: { kind: "binding", expression: "$(body.quote)" },
        },
      ],
    },
    {
      name: "static text is decoded as a JSON string body",
      input: input({ s: 'a\\"b\\nc\\\\d $(body.repo.name)' }, [{ name: "d", default: "x\\ty" }]),
      want: [
        { name: "d", value: "x\ty", source: { kind: "default" } },
        {
          name: "s",
          value: 'a"b\nc\\d hookline',
          source: { kind: "binding", expression: 'a\\"b\\nc\\\\d $(body.repo.name)' },
        },
      ],
    },
  ])("$name", ({ input: given, want }) => {
    expect(resolveParams(given)).toEqual({ ok: true, params: want });
  });

  it.each([
    {
      name: "a missing key without a default",
      input: input({ ref: "$(body.missing)" }, [{ name: "other", default: "x" }]),
      message:
        "failed to replace JSONPath value for param ref: $(body.missing): missing is not found",
    },
    {
      name: "a missing key when the template declares no params",
      input: input({ ref: "$(body.missing)" }, undefined),
      message:
        "failed to replace JSONPath value for param ref: $(body.missing): missing is not found",
    },
    {
      name: "a param with no default declared",
      input: input({ ref: "$(extensions.missing)" }, [{ name: "ref" }]),
      message:
        "failed to replace JSONPath value for param ref: $(extensions.missing): missing is not found",
    },
    {
      name: "a param name bound twice",
      input: input(
        [
          ["ref", "$(body.ref)"],
          ["ref", "main"],
        ],
        undefined,
      ),
      message: "duplicate param name: ref",
    },
  ])("fails on $name", ({ input: given, message }) => {
    const result = resolveParams(given);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("HL_BINDING_FAILED");
    expect(result.error.status).toBe(500);
    expect(result.error.message).toBe(message);
  });
});

describe("decodeStaticText", () => {
  it.each([
    { name: "plain text", text: "hello", old: false, want: "hello" },
    { name: "an escaped quote", text: 'say \\"hi\\"', old: false, want: 'say "hi"' },
    { name: "newline and tab escapes", text: "a\\nb\\tc", old: false, want: "a\nb\tc" },
    { name: "a double backslash", text: "C:\\\\dir", old: false, want: "C:\\dir" },
    { name: "a unicode escape", text: "\\u00e9", old: false, want: "é" },
    { name: "an invalid escape is kept literally", text: "C:\\dir", old: false, want: "C:\\dir" },
    { name: "a bare quote is kept literally", text: 'say "hi"', old: false, want: 'say "hi"' },
    {
      name: "a bare quote with an escape is kept literally",
      text: 'say "hi"\\n',
      old: false,
      want: 'say "hi"\\n',
    },
    {
      name: "raw newlines are tolerated",
      text: "line1\nline2\\t",
      old: false,
      want: "line1\nline2\t",
    },
    {
      name: "oldEscapeQuotes: bare quotes survive",
      text: 'say "hi"\\n',
      old: true,
      want: 'say "hi"\n',
    },
    {
      name: "oldEscapeQuotes: quotes without escapes",
      text: '{"a":"b"}',
      old: true,
      want: '{"a":"b"}',
    },
    {
      name: "oldEscapeQuotes: invalid text kept literally",
      text: 'x "y" \\q',
      old: true,
      want: 'x "y" \\q',
    },
  ])("$name", ({ text, old, want }) => {
    expect(decodeStaticText(text, old)).toBe(want);
  });

  it("under oldEscapeQuotes, escaped CR/LF in an object value become the characters, as in Tekton's output", () => {
    const withText = makeEvent({ body: { obj: { msg: "line1\r\nline2" }, s: "a\nb" } });
    const bindings = { o: "$(body.obj)", s: "$(body.s)" };
    const old = resolveParams({ ...input(bindings, undefined, true), event: withText });
    expect(old).toMatchObject({
      ok: true,
      params: [
        { name: "o", value: '{"msg":"line1\r\nline2"}' },
        { name: "s", value: "a\nb" },
      ],
    });
    // Without the annotation the JSON text is kept as Go's json.Marshal writes it.
    const plain = resolveParams({ ...input(bindings, undefined, false), event: withText });
    expect(plain).toMatchObject({
      ok: true,
      params: [{ name: "o", value: '{"msg":"line1\\r\\nline2"}' }, { name: "s" }],
    });
  });

  it("applies oldEscapeQuotes to static text and defaults through resolveParams", () => {
    const result = resolveParams(
      input(
        { s: 'say "hi"\\n', t: "$(body.missing)" },
        [{ name: "t", default: '"quoted"\\t' }],
        true,
      ),
    );
    expect(result).toMatchObject({
      ok: true,
      params: [
        { name: "t", value: '"quoted"\t' },
        { name: "s", value: 'say "hi"\n' },
      ],
    });
  });
});
