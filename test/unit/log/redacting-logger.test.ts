import { describe, expect, it } from "vitest";
import { createSecretValues } from "../../../src/core/secret-values.js";
import { redactingLogger } from "../../../src/log/redacting-logger.js";
import { createCapturingLogger } from "../../support/capture-logs.js";

describe("redactingLogger", () => {
  it("redacts known values from messages, fields and child fields; learns late values too", () => {
    const { log, logs } = createCapturingLogger();
    const values = createSecretValues();
    values.learn("early-secret");
    const child = redactingLogger(log, values).child({ listener: "l early-secret" });
    child.info("saw early-secret", { nested: { list: ["early-secret"] }, n: 1 });
    values.learn("late-secret");
    child.error("trigger failed", { reason: "failed to decode 'late-secret'" });
    const text = logs.text();
    expect(text).not.toContain("early-secret");
    expect(text).not.toContain("late-secret");
    expect(logs.entries[0]).toMatchObject({
      message: "saw [redacted]",
      listener: "l [redacted]",
      nested: { list: ["[redacted]"] },
      n: 1,
    });
    expect(logs.entries[1]).toMatchObject({ reason: "failed to decode '[redacted]'" });
  });

  it("redacts a child's fields with the values known when it writes its first line", () => {
    const { log, logs } = createCapturingLogger();
    const values = createSecretValues();
    const child = redactingLogger(log, values).child({ listener: "l learnt-later" });
    values.learn("learnt-later");
    child.child({ trigger: "t" }).info("fired");
    expect(logs.text()).not.toContain("learnt-later");
    expect(logs.entries[0]).toMatchObject({ listener: "l [redacted]", trigger: "t" });
  });
});
