import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/log/logger.js";
import { MemoryTransport } from "../../support/capture-logs.js";

describe("the winston logger", () => {
  it("writes the fields of every child down the chain, made on the first line", () => {
    const logs = new MemoryTransport();
    const root = createLogger({ level: "info", transports: [logs] });
    const request = root.child({ eventId: "e-1" });
    const trigger = request.child({ trigger: "t" });
    const unused = request.child({ trigger: "never-written" });
    unused.debug("below the level");
    trigger.child({ interceptor: "cel" }).warn("rejected", { code: "X" });
    request.info("event answered");
    expect(logs.entries).toHaveLength(2);
    expect(logs.entries[0]).toMatchObject({
      level: "warn",
      message: "rejected",
      eventId: "e-1",
      trigger: "t",
      interceptor: "cel",
      code: "X",
    });
    expect(logs.entries[1]).toMatchObject({ message: "event answered", eventId: "e-1" });
    expect(logs.entries[1]).not.toHaveProperty("trigger");
    expect(unused.isLevelEnabled("debug")).toBe(false);
    expect(unused.isLevelEnabled("info")).toBe(true);
  });
});
