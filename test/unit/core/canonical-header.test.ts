import { describe, expect, it } from "vitest";
import {
  canonicalHeaderKey,
  canonicalHeaders,
  firstHeader,
} from "../../../src/core/canonical-header.js";

/**
 * Go's textproto.CanonicalMIMEHeaderKey, which Tekton's headers go through (TEKTON-SPEC §0.2):
 * the first letter and each letter after "-" upper-cased, every other letter lower-cased; a name
 * holding a byte that is not a token character (space, ":", "(", non-ASCII) is left as it is.
 * The expected values are what Go 1.22 returns for the same input.
 */
describe("canonicalHeaderKey", () => {
  it.each([
    { name: "lower case", input: "x-github-event", want: "X-Github-Event" },
    { name: "upper case", input: "X-GITHUB-EVENT", want: "X-Github-Event" },
    { name: "already canonical", input: "Content-Type", want: "Content-Type" },
    { name: "mixed case inside a word", input: "eTaG", want: "Etag" },
    { name: "digits", input: "x-hub-signature-256", want: "X-Hub-Signature-256" },
    { name: "a digit first", input: "1st-try", want: "1st-Try" },
    { name: "underscore is not a separator", input: "x_custom_HEADER", want: "X_custom_header" },
    { name: "dot is not a separator", input: "a.b-c.d", want: "A.b-C.d" },
    { name: "double dash", input: "x--double", want: "X--Double" },
    { name: "leading dash", input: "-leading", want: "-Leading" },
    { name: "trailing dash", input: "trailing-", want: "Trailing-" },
    { name: "other token characters", input: "x-!#$%&'*+^_`|~", want: "X-!#$%&'*+^_`|~" },
    { name: "empty", input: "", want: "" },
    { name: "a space: unchanged", input: "x-foo bar", want: "x-foo bar" },
    { name: "a colon: unchanged", input: "x-foo:bar", want: "x-foo:bar" },
    { name: "parentheses: unchanged", input: "x-(y)", want: "x-(y)" },
    { name: "a quote: unchanged", input: 'x-"y"', want: 'x-"y"' },
    { name: "non-ASCII: unchanged", input: "x-ünicode", want: "x-ünicode" },
    { name: "a control character: unchanged", input: "x-a\tb", want: "x-a\tb" },
  ])("$name: $input → $want", ({ input, want }) => {
    expect(canonicalHeaderKey(input)).toBe(want);
    // A second call (answered from the cache) gives the same.
    expect(canonicalHeaderKey(input)).toBe(want);
  });

  it("gives the same answer past the cache's bound", () => {
    for (let i = 0; i < 5000; i++) expect(canonicalHeaderKey(`x-n${i}-k`)).toBe(`X-N${i}-K`);
  });
});

describe("canonicalHeaders", () => {
  it("canonicalises names, keeps every value in order, and drops Host as Go does", () => {
    expect(
      canonicalHeaders([
        "host",
        "example.com",
        "x-github-event",
        "push",
        "Accept",
        "*/*",
        "ACCEPT",
        "application/json",
        "x-empty",
        "",
      ]),
    ).toEqual({
      "X-Github-Event": ["push"],
      Accept: ["*/*", "application/json"],
      "X-Empty": [""],
    });
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])(
    "keeps a header named %s as data, like any other name",
    (name) => {
      const header = canonicalHeaders([name, "a", name, "b", "x-c", "1"]);
      const key = canonicalHeaderKey(name);
      expect(Object.getPrototypeOf(header)).toBe(Object.prototype);
      expect(Object.hasOwn(header, key)).toBe(true);
      expect(header[key]).toEqual(["a", "b"]);
      expect(Object.keys(header)).toEqual([key, "X-C"]);
      expect(firstHeader(header, name)).toBe("a");
    },
  );

  it("ignores a dangling name without a value", () => {
    expect(canonicalHeaders(["x-a", "1", "x-b"])).toEqual({ "X-A": ["1"] });
  });
});

describe("firstHeader", () => {
  const header = { "X-Github-Event": ["push", "ping"], "X-Empty": [] };

  it.each([
    { name: "the canonical name", lookup: "X-Github-Event", want: "push" },
    { name: "any case", lookup: "x-GITHUB-event", want: "push" },
    { name: "a missing header", lookup: "X-Gitlab-Event", want: undefined },
    { name: "a header without values", lookup: "x-empty", want: undefined },
  ])("looks up $name", ({ lookup, want }) => {
    expect(firstHeader(header, lookup)).toBe(want);
  });
});
