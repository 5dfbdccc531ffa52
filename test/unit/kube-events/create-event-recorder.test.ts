import { describe, expect, it } from "vitest";
import { createKubeEventRecorder } from "../../../src/kube-events/create-event-recorder.js";
import { listenerNotes } from "../../../src/kube-events/listener-notes.js";
import type { CoreV1Event, KubeEventApi, KubeEventNote } from "../../../src/kube-events/types.js";
import type { CompiledListener } from "../../../src/config/compiled.js";
import type { TriggerTrace } from "../../../src/listener/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";

/** An in-memory Events API: what was created and patched, or a failure for every call. */
function memoryApi(
  fail?: Error,
): KubeEventApi & { stored: Map<string, CoreV1Event>; calls: number } {
  const stored = new Map<string, CoreV1Event>();
  const api = {
    stored,
    calls: 0,
    create(event: CoreV1Event) {
      api.calls++;
      if (fail !== undefined) return Promise.reject(fail);
      stored.set(event.metadata.name, event);
      return Promise.resolve();
    },
    patch(_ns: string, name: string, body: Pick<CoreV1Event, "count" | "lastTimestamp">) {
      api.calls++;
      if (fail !== undefined) return Promise.reject(fail);
      const found = stored.get(name);
      if (found === undefined) return Promise.resolve("gone" as const);
      stored.set(name, { ...found, ...body });
      return Promise.resolve("patched" as const);
    },
  };
  return api;
}

const note = (message: string, name = "el"): KubeEventNote => ({
  object: {
    apiVersion: "triggers.tekton.dev/v1beta1",
    kind: "EventListener",
    name,
    namespace: "ci",
  },
  type: "Warning",
  reason: "EventRejected",
  message,
});

describe("createKubeEventRecorder", () => {
  it("counts notes alike into one Event and keeps different messages apart", async () => {
    const api = memoryApi();
    const recorder = createKubeEventRecorder({
      api,
      log: createCapturingLogger().log,
      minIntervalMs: 0,
    });
    for (let i = 0; i < 5; i++) recorder.record(note("a"));
    recorder.record(note("b"));
    await recorder.flush();
    const events = [...api.stored.values()];
    expect(events.map((e) => [e.message, e.count]).sort()).toEqual([
      ["a", 5],
      ["b", 1],
    ]);
    await recorder.close();
  });

  it("starts a new Event once the window has passed", async () => {
    let at = new Date("2026-01-01T00:00:00Z");
    const api = memoryApi();
    const recorder = createKubeEventRecorder({
      api,
      log: createCapturingLogger().log,
      windowMs: 60_000,
      now: () => at,
    });
    recorder.record(note("a"));
    await recorder.flush();
    at = new Date("2026-01-01T00:05:00Z");
    recorder.record(note("a"));
    await recorder.flush();
    expect([...api.stored.values()].map((e) => e.count)).toEqual([1, 1]);
    await recorder.close();
  });

  it("creates the Event again when the API server no longer has it", async () => {
    const api = memoryApi();
    const recorder = createKubeEventRecorder({
      api,
      log: createCapturingLogger().log,
      minIntervalMs: 0,
    });
    recorder.record(note("a"));
    await recorder.flush();
    api.stored.clear(); // The event TTL passed.
    recorder.record(note("a"));
    await recorder.flush();
    expect([...api.stored.values()].map((e) => e.count)).toEqual([2]);
    await recorder.close();
  });

  it("remembers at most maxEntries Events", async () => {
    const api = memoryApi();
    const recorder = createKubeEventRecorder({
      api,
      log: createCapturingLogger().log,
      maxEntries: 2,
      minIntervalMs: 0,
    });
    recorder.record(note("a"));
    await recorder.flush();
    recorder.record(note("b"));
    recorder.record(note("c"));
    await recorder.flush();
    // "a" was forgotten: noted again, it is a new Event, not a patch of the first.
    recorder.record(note("a"));
    await recorder.flush();
    expect([...api.stored.values()].filter((e) => e.message === "a")).toHaveLength(2);
    await recorder.close();
  });

  it("logs a failing API at debug once, and never throws to the caller", async () => {
    const { log, logs } = createCapturingLogger();
    const api = memoryApi(new Error("connect ECONNREFUSED"));
    const recorder = createKubeEventRecorder({ api, log });
    for (let i = 0; i < 5; i++) {
      expect(() => recorder.record(note(`m${i}`))).not.toThrow();
      await recorder.flush();
    }
    const lines = logs.entries.filter((e) => String(e["message"]).startsWith("could not post"));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.["level"]).toBe("debug");
    await recorder.close();
  });
});

describe("listenerNotes", () => {
  const listener = { name: "el", namespace: "ci", uid: "u-1", uidKnown: true } as CompiledListener;
  const trace = (outcome: TriggerTrace["outcome"]): TriggerTrace => ({
    trigger: "push",
    namespace: "ci",
    triggerId: "ci/push",
    via: "inline",
    interceptors: [{ interceptor: "cel", outcome: "error", durationMs: 1 }],
    extensions: {},
    params: [],
    outcome,
    durationMs: 1,
  });
  const answer = { kind: "accepted" as const, status: 202, headers: {}, body: {} };

  it.each([
    {
      name: "a rejected trigger",
      outcome: { kind: "rejected", interceptor: "github", code: "PERMISSION_DENIED", message: "x" },
      reason: "EventRejected",
    },
    {
      name: "a failed trigger, without the failure's own text",
      outcome: { kind: "failed", stage: "interceptor", message: 'no such key: "s3cr3t-payload"' },
      reason: "TriggerFailed",
    },
    {
      name: "a timed-out trigger",
      outcome: { kind: "timedOut", afterMs: 10_000 },
      reason: "TriggerFailed",
    },
  ] as const)("$name", ({ outcome, reason }) => {
    const [n] = listenerNotes(listener, answer, [trace(outcome)]);
    expect(n?.reason).toBe(reason);
    expect(n?.object).toMatchObject({ kind: "EventListener", name: "el", uid: "u-1" });
    expect(n?.message).toContain('Trigger "push"');
    expect(n?.message).not.toContain("s3cr3t-payload");
  });

  it("names no uid that was made up (a listener from a file without one)", () => {
    const fromFile = { ...listener, uidKnown: false } as CompiledListener;
    const rejected = trace({
      kind: "rejected",
      interceptor: "github",
      code: "PERMISSION_DENIED",
      message: "",
    });
    expect(listenerNotes(fromFile, answer, [rejected])[0]?.object).not.toHaveProperty("uid");
  });

  it("says nothing of filtered triggers", () => {
    const filtered = trace({
      kind: "filtered",
      interceptor: "cel",
      code: "FAILED_PRECONDITION",
      message: "",
    });
    expect(listenerNotes(listener, answer, [filtered])).toEqual([]);
  });
});
