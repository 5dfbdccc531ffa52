import { describe, expect, it } from "vitest";
import { parseRateLimit, rateLimitOf } from "../../../src/config/parse-rate-limit.js";

describe("parseRateLimit", () => {
  it.each([
    { name: "per second", value: "5/s", count: 5, periodMs: 1_000 },
    { name: "per minute", value: "20/m", count: 20, periodMs: 60_000 },
    { name: "per hour", value: "100/h", count: 100, periodMs: 3_600_000 },
    { name: "surrounding blanks", value: " 20/m ", count: 20, periodMs: 60_000 },
  ])("$name: $value", ({ value, count, periodMs }) => {
    expect(parseRateLimit(value)).toEqual({
      text: `${count}/${value.trim().slice(-1)}`,
      count,
      periodMs,
    });
  });

  it.each([
    { name: "zero", value: "0/m" },
    { name: "not a rate", value: "x" },
    { name: "days", value: "20/d" },
    { name: "no count", value: "/m" },
    { name: "negative", value: "-1/s" },
    { name: "a fraction", value: "1.5/s" },
    { name: "a leading zero", value: "05/s" },
    { name: "a word for the period", value: "20/min" },
    { name: "empty", value: "" },
    { name: "past nine digits", value: "1234567890/s" },
  ])("refuses $name ($value), naming the valid forms", ({ value }) => {
    const parsed = parseRateLimit(value);
    expect(parsed).toHaveProperty("error");
    const { error } = parsed as { error: string };
    expect(error).toContain(`"${value}"`);
    for (const form of ['"5/s"', '"20/m"', '"100/h"']) expect(error).toContain(form);
  });

  it("rateLimitOf reads the annotation, and nothing from a bad value or none", () => {
    expect(rateLimitOf({ "hookline.dev/rate-limit": "20/m" })).toMatchObject({ count: 20 });
    expect(rateLimitOf({ "hookline.dev/rate-limit": "20/d" })).toBeUndefined();
    expect(rateLimitOf({})).toBeUndefined();
  });
});
