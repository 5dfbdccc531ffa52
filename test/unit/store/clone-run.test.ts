import { describe, expect, it } from "vitest";
import { cloneRun } from "../../../src/store/clone-run.js";
import type { RunRecord } from "../../../src/store/types.js";

function run(extra: Record<string, unknown> = {}): RunRecord {
  return {
    id: "e1.0",
    eventId: "e1",
    origin: { kind: "trigger", traceIndex: 0, trigger: "github-push" },
    namespace: "default",
    serviceAccountName: undefined,
    state: "pending",
    attempts: 1,
    firstAttemptAt: new Date("2026-01-02T03:04:05.678Z"),
    nextAttemptAt: new Date("2026-01-02T03:04:06Z"),
    lastError: undefined,
    traceContext: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    deliveries: [
      {
        kind: "resource",
        seq: 0,
        deliveryKey: "e1.0.0",
        state: "pending",
        attempts: [{ at: "2026-01-02T03:04:05.678Z", error: "503", retryable: true }],
        resource: {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          namespace: "default",
          name: undefined,
          generateName: "build-",
          body: {
            metadata: { generateName: "build-", labels: { a: "b" } },
            spec: { params: [{ name: "n", value: "v" }], flag: true, count: 3, none: null },
            ...extra,
          },
        },
      },
    ],
  };
}

/** [1, <hole>, 3] */
function sparse(): unknown[] {
  const list: unknown[] = [1];
  list[2] = 3;
  return list;
}

describe("cloneRun", () => {
  it.each([
    { name: "a plain run", extra: {} },
    {
      name: "a __proto__ key kept as an own key",
      extra: JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>,
    },
    {
      name: "a null-prototype object",
      extra: { bare: Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 }) },
    },
    { name: "a sparse array", extra: { sparse: sparse() } },
    { name: "a buffer (left to structuredClone)", extra: { bytes: Buffer.from("abc") } },
    { name: "a map (left to structuredClone)", extra: { map: new Map([["k", { v: 1 }]]) } },
  ])("copies $name as structuredClone does", ({ extra }) => {
    const original = run(extra);
    const copy = cloneRun(original);
    expect(copy).toStrictEqual(structuredClone(original));
    expect(Object.keys(copy.deliveries[0] ?? {})).toEqual(
      Object.keys(original.deliveries[0] ?? {}),
    );
  });

  it("shares no object with the original", () => {
    const original = run();
    const copy = cloneRun(original);
    const objects = (v: unknown, into: Set<unknown>): Set<unknown> => {
      if (typeof v === "object" && v !== null) {
        into.add(v);
        for (const x of Object.values(v)) objects(x, into);
      }
      return into;
    };
    const mine = objects(original, new Set());
    for (const o of objects(copy, new Set())) expect(mine.has(o)).toBe(false);
    copy.firstAttemptAt?.setTime(0);
    expect(original.firstAttemptAt?.getTime()).toBe(Date.parse("2026-01-02T03:04:05.678Z"));
  });

  it("refuses a function as structuredClone does", () => {
    expect(() => cloneRun(run({ f: () => 1 }))).toThrow();
  });
});
