import type { TriggerTrace } from "../listener/types.js";
import type { PlannedRun, RunRecord } from "./types.js";

/**
 * A fired trigger's rendered resources are its run's deliveries: the SQL journals keep them once,
 * in the run, and the trace's outcome says `resourcesInRun` instead of holding a second copy. The
 * memory journal keeps objects, not text, so both already share one copy there.
 */
interface PackedFired {
  kind: "fired";
  resources: [];
  resourcesInRun: true;
}

/**
 * The traces to write beside `runs`: each fired trace whose resources are, one for one and in
 * order, the resource deliveries of its run (the objects `planRuns` put in both; a grouped run's
 * cancel delivery, planned before its resource, is passed over) is packed. A trace with a Patch
 * or HTTPRequest entry (a delivery of another kind, not the same object), or without a run (a
 * duplicate's row), keeps its resources. unpackTraces reads the resource deliveries back, so rows
 * packed before grouped runs existed read as they did.
 */
export function packTraces(
  traces: readonly TriggerTrace[],
  runs: readonly PlannedRun[],
): readonly (TriggerTrace | (Omit<TriggerTrace, "outcome"> & { outcome: PackedFired }))[] {
  if (runs.length === 0) return traces;
  return traces.map((t, i) => {
    const o = t.outcome;
    if (o.kind !== "fired" || o.resources.length === 0) return t;
    const run = runs.find((r) => r.origin.kind === "trigger" && r.origin.traceIndex === i);
    if (run === undefined) return t;
    // A grouped run also holds its cancel delivery (issue 12), which is no entry of the trace:
    // the trace's entries are matched against the run's resource deliveries only.
    const resources = run.deliveries.filter((d) => d.kind !== "cancel");
    if (resources.length !== o.resources.length) return t;
    const same = resources.every((d, n) => d.kind === "resource" && d.resource === o.resources[n]);
    return same ? { ...t, outcome: { kind: "fired", resources: [], resourcesInRun: true } } : t;
  });
}

/** Whether any trace read back was packed (then its event's runs are needed to unpack it). */
export function hasPackedTraces(traces: readonly TriggerTrace[]): boolean {
  return traces.some((t) => isPacked(t.outcome));
}

/** The traces as they were recorded: each packed trace gets its run's resources back. */
export function unpackTraces(
  traces: readonly TriggerTrace[],
  runs: readonly RunRecord[],
): TriggerTrace[] {
  return traces.map((t, i) => {
    if (!isPacked(t.outcome)) return t;
    const run = runs.find((r) => r.origin.kind === "trigger" && r.origin.traceIndex === i);
    const resources = (run?.deliveries ?? []).flatMap((d) =>
      d.kind === "resource" ? [d.resource] : [],
    );
    return { ...t, outcome: { kind: "fired", resources } };
  });
}

function isPacked(outcome: TriggerTrace["outcome"]): boolean {
  return outcome.kind === "fired" && (outcome as Partial<PackedFired>).resourcesInRun === true;
}
