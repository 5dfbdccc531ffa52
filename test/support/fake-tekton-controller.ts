/**
 * What Tekton Pipelines' controller does to a PipelineRun's or TaskRun's status, for the FAKE
 * Kubernetes API server (test/support/fake-kube-apiserver.ts): no controller runs in the tests,
 * so the fake plays one when asked. It reads `spec.status` as Tekton does (docs/pipelineruns.md
 * "Cancelling a PipelineRun", "Pending PipelineRuns"; docs/taskruns.md) and sets the `Succeeded`
 * condition with Tekton's reasons:
 * - `Cancelled`, `CancelledRunFinally`, `StoppedRunFinally` (and v1beta1's deprecated
 *   `PipelineRunCancelled`) → `False` / `Cancelled` (a graceful cancel's finally tasks are taken to
 *   end at once), with a completionTime;
 * - `TaskRunCancelled` → `False` / `TaskRunCancelled`;
 * - `PipelineRunPending` / `TaskRunPending` → `Unknown` / `PipelineRunPending` / `TaskRunPending`;
 * - none → `Unknown` / `Running`, with a startTime.
 * A run already done (`True` or `False`) is left alone, as the controller leaves it.
 */

/** The `Succeeded` condition a test sets (`fake.setRunStatus`) or the fake controller sets. */
export interface FakeRunStatus {
  succeeded: "True" | "False" | "Unknown";
  reason: string;
  message?: string;
}

interface RunLike {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A tekton.dev PipelineRun or TaskRun (any version). */
export function isFakeTektonRun(o: { apiVersion: string; kind: string }): boolean {
  return (
    o.apiVersion.split("/")[0] === "tekton.dev" &&
    (o.kind === "PipelineRun" || o.kind === "TaskRun")
  );
}

/** The run's `Succeeded` condition, if any. */
export function fakeSucceededCondition(run: RunLike): Record<string, unknown> | undefined {
  const status = run["status"];
  if (!isRecord(status) || !Array.isArray(status["conditions"])) return undefined;
  return (status["conditions"] as unknown[]).find(
    (c): c is Record<string, unknown> => isRecord(c) && c["type"] === "Succeeded",
  );
}

/** The run with its `Succeeded` condition set (and start / completion times, as Tekton's). */
export function withFakeRunStatus<T extends RunLike>(run: T, next: FakeRunStatus, now: Date): T {
  const status = isRecord(run["status"]) ? { ...run["status"] } : {};
  const time = now.toISOString().replace(/\.\d+Z$/, "Z");
  const others = Array.isArray(status["conditions"])
    ? (status["conditions"] as unknown[]).filter((c) => !(isRecord(c) && c["type"] === "Succeeded"))
    : [];
  status["conditions"] = [
    ...others,
    {
      type: "Succeeded",
      status: next.succeeded,
      reason: next.reason,
      message: next.message ?? defaultMessage(run, next),
      lastTransitionTime: time,
    },
  ];
  const pending = next.reason === "PipelineRunPending" || next.reason === "TaskRunPending";
  if (!pending && status["startTime"] === undefined) status["startTime"] = time;
  if (next.succeeded !== "Unknown") status["completionTime"] = time;
  else delete status["completionTime"];
  return { ...run, status };
}

/** What the controller would set now, or undefined when it would change nothing. */
export function fakeTektonReconcile(run: RunLike): FakeRunStatus | undefined {
  if (!isFakeTektonRun(run)) return undefined;
  const current = fakeSucceededCondition(run);
  if (current?.["status"] === "True" || current?.["status"] === "False") return undefined;
  const spec = isRecord(run["spec"]) ? run["spec"] : {};
  const specStatus = typeof spec["status"] === "string" ? spec["status"] : "";
  const pipeline = run.kind === "PipelineRun";
  let next: FakeRunStatus;
  switch (specStatus) {
    case "Cancelled":
    case "CancelledRunFinally":
    case "StoppedRunFinally":
    case "PipelineRunCancelled":
      next = pipeline
        ? { succeeded: "False", reason: "Cancelled" }
        : { succeeded: "Unknown", reason: "Running" };
      break;
    case "TaskRunCancelled":
      next = pipeline
        ? { succeeded: "Unknown", reason: "Running" }
        : { succeeded: "False", reason: "TaskRunCancelled" };
      break;
    case "PipelineRunPending":
    case "TaskRunPending":
      next = { succeeded: "Unknown", reason: specStatus };
      break;
    default:
      next = { succeeded: "Unknown", reason: "Running" };
  }
  if (current?.["status"] === next.succeeded && current["reason"] === next.reason) return undefined;
  return next;
}

function defaultMessage(run: RunLike, next: FakeRunStatus): string {
  const name = run.metadata.name;
  switch (next.reason) {
    case "Cancelled":
      return `PipelineRun "${name}" was cancelled`;
    case "TaskRunCancelled":
      return `TaskRun "${name}" was cancelled. `;
    case "PipelineRunPending":
      return `PipelineRun "${name}" is pending`;
    case "TaskRunPending":
      return `TaskRun "${name}" is pending`;
    case "Running":
      return run.kind === "PipelineRun"
        ? "Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0"
        : "Not all Steps in the Task have finished executing";
    default:
      return next.reason;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
