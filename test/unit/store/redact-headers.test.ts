import { describe, expect, it } from "vitest";
import { createSecretValues } from "../../../src/core/secret-values.js";
import { redactHeaders } from "../../../src/store/redact-headers.js";

describe("redactHeaders", () => {
  it("redacts by name, by a listener's names, and by value in any header", () => {
    const values = createSecretValues();
    values.learn("hook-key-value");
    expect(
      redactHeaders(
        {
          Authorization: ["Bearer x"],
          "X-Hook-Key": ["wrong-one"],
          "X-Debug": ["key=hook-key-value"],
          "X-Hub-Signature-256": ["sha256=ab"],
          "User-Agent": ["curl"],
        },
        values,
        new Set(["X-Hook-Key"]),
      ),
    ).toEqual({
      Authorization: ["[redacted]"],
      "X-Hook-Key": ["[redacted]"],
      "X-Debug": ["key=[redacted]"],
      "X-Hub-Signature-256": ["sha256=ab"],
      "User-Agent": ["curl"],
    });
  });
});
