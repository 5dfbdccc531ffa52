import { describe, expect, it } from "vitest";
import { createSecretValues, redactDeep, REDACTED } from "../../../src/core/secret-values.js";

describe("createSecretValues", () => {
  it.each([
    {
      name: "a value anywhere in a text",
      learn: "s3cr3t-token",
      text: "Bearer s3cr3t-token!",
      want: "Bearer [redacted]!",
    },
    { name: "every occurrence", learn: "abcd", text: "abcd-abcd", want: "[redacted]-[redacted]" },
    {
      name: "a file's value without its newline",
      learn: "from-a-file\n",
      text: "x=from-a-file",
      want: "x=[redacted]",
    },
    {
      name: "the URL-encoded form",
      learn: "a b/c+d",
      text: "q=a%20b%2Fc%2Bd",
      want: "q=[redacted]",
    },
    {
      name: "a value with regular-expression characters literally",
      learn: "a.b*c(d)[e]$1\\",
      text: "x a.b*c(d)[e]$1\\ aXb*c(d)[e]$1\\",
      want: "x [redacted] aXb*c(d)[e]$1\\",
    },
    {
      name: "nothing when unknown",
      learn: "other-value",
      text: "nothing here",
      want: "nothing here",
    },
    {
      name: "not a value shorter than 4 characters",
      learn: "abc",
      text: "abc abc",
      want: "abc abc",
    },
    { name: "not a part of the marker itself", learn: "dact", text: "dact", want: "dact" },
  ])("redacts $name", ({ learn, text, want }) => {
    const values = createSecretValues();
    values.learn(learn);
    expect(values.redact(text)).toBe(want);
  });

  it("replaces a value containing another whole", () => {
    const values = createSecretValues();
    values.learn("token");
    values.learn("token-and-more");
    expect(values.redact("token-and-more")).toBe(REDACTED);
  });

  it("learns bytes as text, and skips binary ones", () => {
    const values = createSecretValues();
    values.learn(Buffer.from("bytes-secret"));
    values.learn(Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0xfb]));
    expect(values.redact("bytes-secret")).toBe(REDACTED);
    expect(values.size).toBe(1);
  });

  it("keeps at most max forms, dropping the least recently learned", () => {
    const values = createSecretValues(2);
    values.learn("first-value");
    values.learn("second-value");
    values.learn("first-value"); // refreshed: now the second is the oldest
    values.learn("third-value");
    expect(values.size).toBe(2);
    expect(values.holdsSecret("second-value")).toBe(false);
    expect(values.holdsSecret("first-value third-value")).toBe(true);
    for (let i = 0; i < 10_000; i++) values.learn(`value-${i}`);
    expect(values.size).toBe(2);
  });
});

describe("redactDeep", () => {
  it("redacts strings and keys at any depth, and returns the value itself when clean", () => {
    const values = createSecretValues();
    values.learn("deep-secret");
    const clean = { a: [{ b: "x" }], n: 1 };
    expect(redactDeep(clean, values)).toBe(clean);
    expect(redactDeep({ a: [{ b: "is deep-secret" }], ["deep-secret"]: 1, n: 2 }, values)).toEqual({
      a: [{ b: `is ${REDACTED}` }],
      [REDACTED]: 1,
      n: 2,
    });
  });

  it("copies what comes before the first change, and keeps what comes after", () => {
    const values = createSecretValues();
    values.learn("deep-secret");
    expect(redactDeep(["a", 1, "deep-secret", "b"], values)).toEqual(["a", 1, REDACTED, "b"]);
    expect(redactDeep({ a: 1, b: { c: "deep-secret" }, d: "e" }, values)).toEqual({
      a: 1,
      b: { c: REDACTED },
      d: "e",
    });
  });

  it("keeps a __proto__ key an own key", () => {
    const values = createSecretValues();
    values.learn("deep-secret");
    const input = JSON.parse('{"__proto__": {"x": "deep-secret"}}') as Record<string, unknown>;
    const out = redactDeep(input, values);
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":"[redacted]"}}');
  });

  it.each([
    { name: "a value JSON writes escaped (a quote)", secret: 'pa"ss-word' },
    { name: "a value JSON writes escaped (a backslash)", secret: "pa\\ss-word" },
    { name: "a value JSON writes escaped (a control character)", secret: "pass\tword" },
    { name: "a value JSON writes as it is", secret: "pass-word" },
  ])("redacts $name wherever the walk finds it", ({ secret }) => {
    const values = createSecretValues();
    values.learn(secret);
    const input = { a: [{ b: `x ${secret} y` }], [secret]: 1, c: "clean" };
    const out = redactDeep(input, values);
    expect(out).toEqual({ a: [{ b: `x ${REDACTED} y` }], [REDACTED]: 1, c: "clean" });
    const clean = { a: [{ b: "x" }], c: [1, null, true] };
    expect(redactDeep(clean, values)).toBe(clean);
  });

  it("walks a value JSON.stringify refuses, and a bare string", () => {
    const values = createSecretValues();
    values.learn("deep-secret");
    const cyclic: Record<string, unknown> = { s: "deep-secret" };
    cyclic["self"] = cyclic;
    expect(redactDeep(cyclic, values)["s"]).toBe(REDACTED);
    expect(redactDeep({ n: 1n, s: "deep-secret" }, values)).toEqual({ n: 1n, s: REDACTED });
    expect(redactDeep("a deep-secret", values)).toBe(`a ${REDACTED}`);
  });

  it("leaves what the walk does not enter as it was, even when its JSON holds a value", () => {
    const values = createSecretValues();
    values.learn("deep-secret");
    const when = new Date(0);
    const input = { when, bytes: Buffer.from("deep-secret") };
    expect(redactDeep(input, values)).toBe(input);
  });
});

describe("mayHoldInJSON", () => {
  it("is false only when no known value can be in the text's strings", () => {
    const values = createSecretValues();
    expect(values.mayHoldInJSON('{"a":"deep-secret"}')).toBe(false);
    values.learn("deep-secret");
    expect(values.mayHoldInJSON('{"a":"x"}')).toBe(false);
    expect(values.mayHoldInJSON('{"a":"is deep-secret"}')).toBe(true);
    values.learn('with"quote');
    // A value JSON escapes cannot be looked for in the text: always maybe.
    expect(values.mayHoldInJSON('{"a":"x"}')).toBe(true);
  });
});
