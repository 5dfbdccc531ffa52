import { describe, expect, it } from "vitest";
import { createSecretValues } from "../../../src/core/secret-values.js";
import { redactURL } from "../../../src/store/redact-url.js";

const values = createSecretValues();
values.learn("q-secret-1");

describe("redactURL", () => {
  it.each([
    { name: "no query", url: "/hook", keep: false, want: "/hook" },
    {
      name: "every query value",
      url: "/hook?token=abc&ref=main",
      keep: false,
      want: "/hook?token=[redacted]&ref=[redacted]",
    },
    {
      name: "empty values and pieces as they are",
      url: "/hook?a=&&b=1",
      keep: false,
      want: "/hook?a=&&b=[redacted]",
    },
    {
      name: "a parameter without = whole",
      url: "/hook?abcdef",
      keep: false,
      want: "/hook?[redacted]",
    },
    {
      name: "a kept query",
      url: "/hook?token=abc&ref=main",
      keep: true,
      want: "/hook?token=abc&ref=main",
    },
    {
      name: "a secret value in a kept query",
      url: "/hook?token=q-secret-1&ref=main",
      keep: true,
      want: "/hook?token=[redacted]&ref=main",
    },
    {
      name: "a secret inside a kept value",
      url: "/hook?t=Bearer+q-secret-1",
      keep: true,
      want: "/hook?t=[redacted]",
    },
    {
      name: "a percent-encoded secret in a kept query",
      url: "/hook?t=q%2Dsecret%2D1",
      keep: true,
      want: "/hook?t=[redacted]",
    },
    {
      name: "a secret as a kept parameter's name",
      url: "/hook?q-secret-1=1",
      keep: true,
      want: "/hook?[redacted]=1",
    },
    {
      name: "a secret in the path",
      url: "/hook/q-secret-1?x=1",
      keep: true,
      want: "/hook/[redacted]?x=1",
    },
    { name: "a malformed escape, kept", url: "/hook?x=%zz", keep: true, want: "/hook?x=%zz" },
  ])("redacts $name", ({ url, keep, want }) => {
    expect(redactURL(url, values, keep)).toBe(want);
  });
});
