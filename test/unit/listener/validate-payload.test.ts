import { describe, expect, it } from "vitest";
import { memoJSON } from "../../../src/core/memo-json.js";
import { validatePayload } from "../../../src/listener/validate-payload.js";

const check = (text: string): string | undefined => {
  const raw = Buffer.from(text);
  return validatePayload(memoJSON(raw), raw);
};

/** Tekton's payload validation (TEKTON-SPEC §2.2), with Go's encoding/json error texts. */
describe("validatePayload", () => {
  it.each([
    { name: "an object", body: '{"a":1}' },
    { name: "an empty object", body: "{}" },
    { name: "an object with spaces around", body: ' \n {"a":1}\t' },
    { name: "null (a no-op into a Go map)", body: "null" },
  ])("accepts $name", ({ body }) => {
    expect(check(body)).toBeUndefined();
  });

  it.each([
    { name: "an empty body", body: "", want: "unexpected end of JSON input" },
    { name: "only whitespace", body: " \n\t", want: "unexpected end of JSON input" },
    { name: "a cut-off object", body: '{"a":', want: "unexpected end of JSON input" },
    { name: "a cut-off string", body: '{"a":"b', want: "unexpected end of JSON input" },
    { name: "a cut-off value", body: '{"a":1', want: "unexpected end of JSON input" },
    { name: "a cut-off value and a space", body: '{"a":1 ', want: "unexpected end of JSON input" },
    { name: "a lone brace", body: "{", want: "unexpected end of JSON input" },
    { name: "a cut-off key", body: '{"a"', want: "unexpected end of JSON input" },
    { name: "a cut-off escape", body: '{"a":"\\u12', want: "unexpected end of JSON input" },
    {
      name: "a form body",
      body: "a=1&b=2",
      want: "invalid character 'a' looking for beginning of value",
    },
    { name: "XML", body: "<push/>", want: "invalid character '<' looking for beginning of value" },
    {
      name: "a leading space",
      body: "  x",
      want: "invalid character 'x' looking for beginning of value",
    },
    {
      name: "an array",
      body: "[1,2]",
      want: "json: cannot unmarshal array into Go value of type map[string]interface {}",
    },
    {
      name: "a string",
      body: '"push"',
      want: "json: cannot unmarshal string into Go value of type map[string]interface {}",
    },
    {
      name: "a number",
      body: "42",
      want: "json: cannot unmarshal number into Go value of type map[string]interface {}",
    },
    {
      name: "a bool",
      body: "true",
      want: "json: cannot unmarshal bool into Go value of type map[string]interface {}",
    },
  ])("refuses $name with Go's text", ({ body, want }) => {
    expect(check(body)).toBe(want);
  });

  it("refuses an error inside a document, saying where", () => {
    expect(check('{"a":}')).toMatch(/^invalid JSON: .+/);
    expect(check('{"a":1,}')).toMatch(/^invalid JSON: .+/);
  });

  it("decides on the parse it is given, not a parse of its own", () => {
    // The listener shares one parse between validation, CEL and bindings.
    expect(validatePayload(() => ({ parsed: "once" }), Buffer.from("not json"))).toBeUndefined();
    expect(validatePayload(() => [1], Buffer.from("{}"))).toMatch(/cannot unmarshal array/);
  });
});
