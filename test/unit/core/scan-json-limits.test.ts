import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { DEFAULT_JSON_LIMITS, scanJsonLimits } from "../../../src/core/scan-json-limits.js";

/** The code scanJsonLimits refuses with, or "ok". */
function scan(text: string, limits = DEFAULT_JSON_LIMITS): string {
  try {
    scanJsonLimits(Buffer.from(text, "utf8"), limits);
    return "ok";
  } catch (err) {
    if (err instanceof HooklineError) return err.code;
    throw err;
  }
}

/** Object keys plus array items, and the nesting depth, counted on the parsed value. */
function measure(value: unknown, depth = 0): { items: number; depth: number } {
  if (value === null || typeof value !== "object") return { items: 0, depth };
  const children = Array.isArray(value) ? value : Object.values(value);
  let items = children.length;
  let deepest = depth + 1;
  for (const child of children) {
    const m = measure(child, depth + 1);
    items += m.items;
    deepest = Math.max(deepest, m.depth);
  }
  return { items, depth: deepest };
}

const nested = (levels: number): string => "[".repeat(levels) + "]".repeat(levels);

describe("scanJsonLimits", () => {
  it.each([
    { name: "depth at the limit", text: nested(128), expected: "ok" },
    { name: "one level past it", text: nested(129), expected: "HL_INTAKE_TOO_COMPLEX" },
    {
      name: "objects count as levels too",
      text: '{"a":'.repeat(129) + "1" + "}".repeat(129),
      expected: "HL_INTAKE_TOO_COMPLEX",
    },
    {
      name: "brackets inside strings are text",
      text: JSON.stringify({ a: "[".repeat(500) + '{\\"' }),
      expected: "ok",
    },
    {
      name: "an escaped backslash ends before the quote",
      text: `{"a":"x\\\\","b":"${"[".repeat(300)}"}`,
      expected: "ok",
    },
    {
      name: "a string left open is left to JSON.parse",
      text: '{"a":"[[[[',
      expected: "ok",
    },
    { name: "not JSON at all is left to JSON.parse", text: "]]]}}}::,,", expected: "ok" },
  ])("$name", ({ text, expected }) => {
    expect(scan(text)).toBe(expected);
  });

  it("counts keys and array items at every depth", () => {
    const limits = { maxDepth: 128, maxItems: 6 };
    // a, b, [1, 2], c, and the [] and {} that are items but hold none.
    expect(scan('{"a":1,"b":[1,2],"c":[[],{}]}', limits)).toBe("HL_INTAKE_TOO_COMPLEX");
    expect(scan('{"a":1,"b":[1,2],"c":[[],{}]}', { ...limits, maxItems: 7 })).toBe("ok");
    expect(scan('{"a:b,c":"[1,2,3]"}', { maxDepth: 128, maxItems: 1 })).toBe("ok");
  });

  it("refuses 100,001 keys and takes 100,000", () => {
    const keys = (n: number): string =>
      `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")}}`;
    expect(scan(keys(100_000))).toBe("ok");
    expect(scan(keys(100_001))).toBe("HL_INTAKE_TOO_COMPLEX");
  });

  it("agrees with the parsed value: passes at its exact size and depth, refuses one below", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value, null, 1); // with whitespace between tokens
        const { items, depth } = measure(value);
        expect(scan(text, { maxDepth: Math.max(depth, 1), maxItems: items })).toBe("ok");
        if (items > 0)
          expect(scan(text, { maxDepth: 128, maxItems: items - 1 })).toBe("HL_INTAKE_TOO_COMPLEX");
        if (depth > 1)
          expect(scan(text, { maxDepth: depth - 1, maxItems: 1e9 })).toBe("HL_INTAKE_TOO_COMPLEX");
      }),
      { numRuns: 300 },
    );
  });

  it("refuses exactly the texts past random limits (the short-body shortcut included)", () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 400 }),
        (value, maxDepth, maxItems) => {
          const { items, depth } = measure(value);
          const within = depth <= maxDepth && items <= maxItems;
          expect(scan(JSON.stringify(value), { maxDepth, maxItems })).toBe(
            within ? "ok" : "HL_INTAKE_TOO_COMPLEX",
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
