import type { GroupRun } from "./types.js";

/**
 * The `spec.status` values that cancel a run (Tekton Pipelines docs/pipelineruns.md "Cancelling
 * a PipelineRun", docs/taskruns.md "Cancelling a TaskRun"): v1 and v1beta1 alike, plus v1beta1's
 * deprecated `PipelineRunCancelled`, which Tekton still honours.
 */
export const CANCEL_SPEC_STATUSES: readonly string[] = [
  "Cancelled",
  "CancelledRunFinally",
  "StoppedRunFinally",
  "PipelineRunCancelled",
  "TaskRunCancelled",
];

/** The `spec.status` of a run created queued: Tekton does not start it until it is cleared. */
export const PENDING_SPEC_STATUSES: readonly string[] = ["PipelineRunPending", "TaskRunPending"];

/**
 * A PipelineRun's or TaskRun's phase as the group scheduler counts it, from the object alone
 * (plain JSON, as the cluster or a YAML file holds it; nothing here knows Kubernetes types):
 * - `done`: the `Succeeded` condition is `True` or `False` (whatever `spec.status` says);
 * - `cancelling`: `spec.status` asks for a cancel that has not ended yet (still holds its slot);
 * - `pending`: `spec.status` is `PipelineRunPending` / `TaskRunPending`;
 * - `running`: anything else (created and not finished, including not yet picked up).
 */
export function runPhase(object: unknown): GroupRun["phase"] {
  const run = asRecord(object);
  if (isDone(run["status"])) return "done";
  const specStatus = asRecord(run["spec"])["status"];
  if (typeof specStatus === "string") {
    if (CANCEL_SPEC_STATUSES.includes(specStatus)) return "cancelling";
    if (PENDING_SPEC_STATUSES.includes(specStatus)) return "pending";
  }
  return "running";
}

/** When a done run finished: `status.completionTime`, else its Succeeded condition's transition. */
export function runFinishedAt(object: unknown): Date | undefined {
  const status = asRecord(asRecord(object)["status"]);
  const time = status["completionTime"] ?? succeeded(status)?.["lastTransitionTime"];
  if (typeof time !== "string") return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function isDone(status: unknown): boolean {
  const condition = succeeded(asRecord(status));
  return condition?.["status"] === "True" || condition?.["status"] === "False";
}

function succeeded(status: Record<string, unknown>): Record<string, unknown> | undefined {
  const conditions = status["conditions"];
  if (!Array.isArray(conditions)) return undefined;
  return conditions.map(asRecord).find((c) => c["type"] === "Succeeded");
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
