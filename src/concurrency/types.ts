/**
 * Concurrency control (issue 12): the types the config, the planner, the journal, the sinks and
 * the group scheduler share. A resource template declares a group and a strategy in its
 * `metadata.annotations`; everything downstream reads the rendered resource's labels and
 * annotations (so the scheduler needs no config: a run in the cluster carries its own policy).
 */

/** `hookline.dev/concurrency`: what a newer run of a group does to the older ones. */
export type ConcurrencyStrategy =
  /** Cancel the group's older runs, running and pending (PipelineRun `Cancelled`, TaskRun `TaskRunCancelled`). */
  | "cancel-in-progress"
  /** The same, letting a PipelineRun's finally tasks run (`CancelledRunFinally`). */
  | "cancel-in-progress-gracefully"
  /** Create Pending; at most `max-running` of the group run at once, the rest start in order. */
  | "queue"
  /** As `queue`, but only the newest pending run is kept: older pending ones are cancelled (GitHub Actions). */
  | "queue-latest";

export const CONCURRENCY_STRATEGIES: readonly ConcurrencyStrategy[] = [
  "cancel-in-progress",
  "cancel-in-progress-gracefully",
  "queue",
  "queue-latest",
];

/** The annotations a resource template may carry (read at load, rendered like any value). */
export const ANNOTATION_GROUP = "hookline.dev/concurrency-group";
export const ANNOTATION_STRATEGY = "hookline.dev/concurrency";
export const ANNOTATION_MAX_RUNNING = "hookline.dev/max-running";
export const ANNOTATION_MAX_KEEP_RUNS = "hookline.dev/max-keep-runs";
/** On a Trigger or an EventListener: a token bucket, `N/s`, `N/m` or `N/h`. */
export const ANNOTATION_RATE_LIMIT = "hookline.dev/rate-limit";

/**
 * The labels hookline adds to a run of a group, so that a label selector in the namespace finds
 * the group's runs and orders them: the group key's hash (any key length fits a label value) and
 * the run's place in the group (the event's receivedAt in ms, 13 digits, then the delivery key
 * with its numbers padded to 4 digits,
 * compared as strings: later events sort after earlier ones).
 */
export const LABEL_GROUP_HASH = "hookline.dev/concurrency-group-hash";
export const LABEL_GROUP_ORDER = "hookline.dev/concurrency-order";

/** The kinds with cancel and queue semantics: Tekton's PipelineRun and TaskRun, v1 and v1beta1. */
export type ConcurrentKind = "PipelineRun" | "TaskRun";

/**
 * A rendered resource's concurrency, as planRuns reads it from the rendered annotations and
 * stores it on the run (PlannedRun.concurrency): one per run (a template with two grouped
 * resources is a config error).
 */
export interface RunConcurrency {
  /** The rendered group key as written (`org/repo#42`); shown on the page, never in a label. */
  group: string;
  /** `<namespace>/<hash>`: the journal's key for the group (supersede, filter by group). */
  groupId: string;
  /** LABEL_GROUP_HASH's value: hex SHA-256 of the key, first 40 characters. */
  groupHash: string;
  strategy: ConcurrencyStrategy;
  maxRunning: number;
  maxKeepRuns: number | undefined;
  /** LABEL_GROUP_ORDER's value for this run. */
  order: string;
  kind: ConcurrentKind;
  apiVersion: string;
  namespace: string;
}

/**
 * A run of a group as a run store (the cluster, or the local sink's directory) shows it to the
 * group scheduler.
 */
export interface GroupRun {
  apiVersion: string;
  kind: ConcurrentKind;
  namespace: string;
  name: string;
  order: string;
  /** `pending`: spec.status is PipelineRunPending / TaskRunPending; `done`: Succeeded is True or False. */
  phase: "pending" | "running" | "cancelling" | "done";
  /** The run's own `hookline.dev/max-running` and `max-keep-runs` annotations. */
  maxRunning: number;
  maxKeepRuns: number | undefined;
  /** When it finished (for max-keep-runs: the newest N finished are kept). */
  finishedAt?: Date;
  /**
   * The readable group key (the `hookline.dev/concurrency-group` annotation), for the origin of
   * the scheduler's start runs; absent: the scheduler names the group by its hash.
   */
  group?: string;
}

/** Which of a group's runs a cancel delivery cancels: those ordered before `before`. */
export interface CancelSelector {
  apiVersion: string;
  kind: ConcurrentKind;
  namespace: string;
  groupHash: string;
  /** Cancel runs whose order sorts before this one (the run that supersedes them). */
  before: string;
  /** `pending` only (queue-latest), or running and pending (cancel-in-progress). */
  scope: "pending" | "all";
  /** `spec.status` to set: `Cancelled`, `CancelledRunFinally` or `TaskRunCancelled`. */
  status: "Cancelled" | "CancelledRunFinally" | "TaskRunCancelled";
}

/** One run of a group, by name: what a start delivery starts. */
export interface RunTarget {
  apiVersion: string;
  kind: ConcurrentKind;
  namespace: string;
  name: string;
}

/** One run a cancel delivery cancelled, as recorded on the delivery. */
export interface CancelledRun {
  kind: ConcurrentKind;
  namespace: string;
  name: string;
  /** A file path for the local sink, an API path for Kubernetes. */
  location: string;
}

/** Where a group's runs are: one kind in one namespace, found by LABEL_GROUP_HASH. */
export interface GroupAddress {
  apiVersion: string;
  kind: ConcurrentKind;
  namespace: string;
  groupHash: string;
}

/**
 * The runs of concurrency groups as the group scheduler reads them: the cluster (a label-selector
 * list and a watch of PipelineRuns / TaskRuns) or the local sink's directory. Cancels and starts
 * are not here: they are journaled deliveries, sent through `Sink.cancel` / `Sink.start`.
 */
export interface GroupRunStore {
  /** The group's runs as they stand now. */
  list(group: GroupAddress): Promise<GroupRun[]>;
  /** Deletes a finished run (max-keep-runs); one already gone is no error. */
  delete(run: GroupRun): Promise<void>;
  /**
   * Calls `onChange` with a group's address whenever one of its runs is created, finishes, is
   * cancelled or deleted (and, after a reconnect, for every group it knows); returns `stop`.
   */
  watch(onChange: (group: GroupAddress) => void): { stop(): Promise<void> };
}
