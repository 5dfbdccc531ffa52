import { describe, expect, it } from "vitest";
import { createWriteHealth } from "../../../src/store/write-health.js";

class StoreError extends Error {}
const describeFailure = (err: unknown): string | undefined =>
  err instanceof StoreError ? `store: ${err.message}` : undefined;

function setup(probeIntervalMs = 5_000) {
  let clock = 0;
  const calls = { probes: 0, pings: 0 };
  let probeFails: Error | undefined;
  const health = createWriteHealth({
    probe: () => {
      calls.probes++;
      return probeFails === undefined ? Promise.resolve() : Promise.reject(probeFails);
    },
    ping: () => {
      calls.pings++;
      return Promise.resolve(true);
    },
    describeFailure,
    probeIntervalMs,
    now: () => clock,
  });
  return {
    health,
    calls,
    advance: (ms: number) => (clock += ms),
    failProbes: (err: Error | undefined) => (probeFails = err),
  };
}

describe("createWriteHealth", () => {
  it("probes at the first check, then reads until the interval has passed", async () => {
    const t = setup();
    await expect(t.health.check()).resolves.toEqual({ ready: true });
    await expect(t.health.check()).resolves.toEqual({ ready: true });
    expect(t.calls).toEqual({ probes: 1, pings: 1 });
    t.advance(5_000);
    await t.health.check();
    expect(t.calls.probes).toBe(2);
  });

  it("is not ready after a store failure of a record, until a record succeeds", async () => {
    const t = setup();
    await t.health.check();
    t.health.failed(new StoreError("disk full"));
    await expect(t.health.check()).resolves.toEqual({ ready: false, reason: "store: disk full" });
    t.advance(1_000);
    await expect(t.health.check()).resolves.toEqual({ ready: false, reason: "store: disk full" });
    t.health.succeeded();
    await expect(t.health.check()).resolves.toEqual({ ready: true });
    expect(t.calls.probes).toBe(1);
  });

  it("is ready again once a probe write succeeds, probing at most once per interval", async () => {
    const t = setup();
    t.failProbes(new StoreError("read-only"));
    await expect(t.health.check()).resolves.toEqual({ ready: false, reason: "store: read-only" });
    t.failProbes(undefined);
    t.advance(4_999);
    await expect(t.health.check()).resolves.toEqual({ ready: false, reason: "store: read-only" });
    expect(t.calls.probes).toBe(1);
    t.advance(1);
    await expect(t.health.check()).resolves.toEqual({ ready: true });
    expect(t.calls.probes).toBe(2);
  });

  it("ignores a failure that is the record's own", async () => {
    const t = setup();
    await t.health.check();
    t.health.failed(new TypeError("a bug in one record"));
    await expect(t.health.check()).resolves.toEqual({ ready: true });
  });

  it("gives a generic reason when a probe fails for an unknown cause", async () => {
    const t = setup();
    t.failProbes(new TypeError("connection is not open"));
    await expect(t.health.check()).resolves.toEqual({
      ready: false,
      reason: "the journal refused a probe write",
    });
  });

  it("shares one probe between concurrent checks", async () => {
    const t = setup();
    await Promise.all([t.health.check(), t.health.check(), t.health.check()]);
    expect(t.calls.probes).toBe(1);
  });
});
