import { describe, expect, it } from "vitest";
import { runFinishedAt, runPhase } from "../../../src/concurrency/run-phase.js";

const cond = (status: string, reason = "x"): unknown => ({
  conditions: [{ type: "Succeeded", status, reason }],
});

describe("runPhase", () => {
  it.each([
    { name: "new, no status", object: { spec: {} }, phase: "running" },
    { name: "Pending", object: { spec: { status: "PipelineRunPending" } }, phase: "pending" },
    { name: "TaskRun Pending", object: { spec: { status: "TaskRunPending" } }, phase: "pending" },
    {
      name: "cancel asked",
      object: { spec: { status: "Cancelled" }, status: cond("Unknown") },
      phase: "cancelling",
    },
    { name: "graceful", object: { spec: { status: "CancelledRunFinally" } }, phase: "cancelling" },
    {
      name: "v1beta1 deprecated",
      object: { spec: { status: "PipelineRunCancelled" } },
      phase: "cancelling",
    },
    {
      name: "cancelled, done",
      object: { spec: { status: "Cancelled" }, status: cond("False", "Cancelled") },
      phase: "done",
    },
    { name: "succeeded", object: { spec: {}, status: cond("True") }, phase: "done" },
    { name: "running", object: { spec: {}, status: cond("Unknown", "Running") }, phase: "running" },
    { name: "not an object", object: "nope", phase: "running" },
  ])("$name → $phase", ({ object, phase }) => {
    expect(runPhase(object)).toBe(phase);
  });

  it("finishedAt reads completionTime", () => {
    expect(runFinishedAt({ status: { completionTime: "2026-12-03T10:00:00Z" } })).toEqual(
      new Date("2026-12-03T10:00:00Z"),
    );
    expect(runFinishedAt({ status: {} })).toBeUndefined();
  });
});
