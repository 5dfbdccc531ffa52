import { describe, expect, it } from "vitest";
import { createUnauthenticatedQuota } from "../../../src/listener/unauthenticated-quota.js";

describe("the quota of metadata-only rows", () => {
  it("keeps up to the source address's quota, then drops that source's rows only", () => {
    const quota = createUnauthenticatedQuota({ perListener: 100, perSource: 2, now: () => 0 });
    expect([1, 2, 3].map(() => quota.admit("ns/el", "10.0.0.1"))).toEqual([
      undefined,
      undefined,
      "source-quota",
    ]);
    expect(quota.admit("ns/el", "10.0.0.2")).toBeUndefined();
  });

  it("keeps up to the listener's quota whatever the sources, and a refused source spends none of it", () => {
    const quota = createUnauthenticatedQuota({ perListener: 3, perSource: 1, now: () => 0 });
    expect(quota.admit("ns/el", "a")).toBeUndefined();
    expect(quota.admit("ns/el", "a")).toBe("source-quota");
    expect(quota.admit("ns/el", "b")).toBeUndefined();
    expect(quota.admit("ns/el", "c")).toBeUndefined();
    expect(quota.admit("ns/el", "d")).toBe("listener-quota");
    // Another listener has a quota of its own.
    expect(quota.admit("ns/other", "e")).toBeUndefined();
  });

  it("starts again at the next window", () => {
    let now = 0;
    const quota = createUnauthenticatedQuota({
      perListener: 1,
      perSource: 1,
      windowMs: 60_000,
      now: () => now,
    });
    expect(quota.admit("ns/el", "a")).toBeUndefined();
    expect(quota.admit("ns/el", "a")).toBe("source-quota");
    now = 59_999;
    expect(quota.admit("ns/el", "b")).toBe("listener-quota");
    now = 60_000;
    expect(quota.admit("ns/el", "a")).toBeUndefined();
  });

  it("counts at most maxSources addresses per window: a new one past it is dropped", () => {
    const quota = createUnauthenticatedQuota({
      perListener: 100,
      perSource: 5,
      maxSources: 2,
      now: () => 0,
    });
    expect(quota.admit("ns/el", "a")).toBeUndefined();
    expect(quota.admit("ns/el", "b")).toBeUndefined();
    expect(quota.admit("ns/el", "c")).toBe("source-quota");
    expect(quota.admit("ns/el", "a")).toBeUndefined();
  });
});
