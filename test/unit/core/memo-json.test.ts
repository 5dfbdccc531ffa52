import { describe, expect, it } from "vitest";
import { memoJSON } from "../../../src/core/memo-json.js";

describe("memoJSON", () => {
  it("parses once: every reader gets the same value", () => {
    const read = memoJSON(Buffer.from('{"a":[1,{"b":null}]}'));
    const first = read();
    expect(first).toEqual({ a: [1, { b: null }] });
    expect(read()).toBe(first);
  });

  it("remembers the error too, and throws the same one each time", () => {
    const read = memoJSON(Buffer.from("{nope"));
    let first: unknown;
    try {
      read();
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(SyntaxError);
    expect(read).toThrow(first);
  });

  it("reads an empty body as undefined, not as an error", () => {
    expect(memoJSON(Buffer.alloc(0))()).toBeUndefined();
  });

  it("decodes UTF-8, a multi-byte character included", () => {
    expect(memoJSON(Buffer.from('{"x":"é🚀"}', "utf8"))()).toEqual({ x: "é🚀" });
  });

  it("does nothing until first read", () => {
    // A body that would throw is harmless while nobody reads it.
    expect(() => memoJSON(Buffer.from("]"))).not.toThrow();
  });
});

describe("memoJSON's structure limits", () => {
  it("refuses a body past them with HL_INTAKE_TOO_COMPLEX, and remembers that", () => {
    const read = memoJSON(Buffer.from("[".repeat(200) + "]".repeat(200)));
    expect(read).toThrow(expect.objectContaining({ code: "HL_INTAKE_TOO_COMPLEX", status: 413 }));
    expect(read).toThrow(expect.objectContaining({ code: "HL_INTAKE_TOO_COMPLEX" }));
  });

  it("parses a body within them as before", () => {
    expect(memoJSON(Buffer.from("[".repeat(100) + "]".repeat(100)))()).toBeInstanceOf(Array);
  });
});
