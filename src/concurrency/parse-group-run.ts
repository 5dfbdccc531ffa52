import { runFinishedAt, runPhase } from "./run-phase.js";
import {
  ANNOTATION_MAX_KEEP_RUNS,
  ANNOTATION_MAX_RUNNING,
  LABEL_GROUP_HASH,
  LABEL_GROUP_ORDER,
  type ConcurrentKind,
  type GroupRun,
} from "./types.js";

/** Where an object was read, for the fields a listed item may leave out. */
export interface GroupRunSource {
  apiVersion: string;
  kind: ConcurrentKind;
  namespace: string;
}

/**
 * A run of a concurrency group as a run store read it (an item of a label-selector list, a watch
 * event's object, a YAML file): plain JSON in, the scheduler's view out. Undefined when the object
 * is not a run of a group (no group-hash or order label, no name). The policy comes from the run's
 * own annotations (`hookline.dev/max-running`, default 1; `hookline.dev/max-keep-runs`), so the
 * scheduler needs no config; a value that is not a positive integer counts as absent (the config
 * check refuses it before any run carries it).
 */
export function parseGroupRun(object: unknown, source: GroupRunSource): GroupRun | undefined {
  const run = asRecord(object);
  const meta = asRecord(run["metadata"]);
  const labels = asRecord(meta["labels"]);
  const annotations = asRecord(meta["annotations"]);
  const name = meta["name"];
  const order = labels[LABEL_GROUP_ORDER];
  if (typeof name !== "string" || name === "") return undefined;
  if (typeof labels[LABEL_GROUP_HASH] !== "string" || typeof order !== "string") return undefined;
  const kind =
    run["kind"] === "TaskRun" || run["kind"] === "PipelineRun" ? run["kind"] : source.kind;
  const apiVersion = typeof run["apiVersion"] === "string" ? run["apiVersion"] : source.apiVersion;
  const namespace = typeof meta["namespace"] === "string" ? meta["namespace"] : source.namespace;
  const phase = runPhase(run);
  const finishedAt = phase === "done" ? runFinishedAt(run) : undefined;
  return {
    apiVersion,
    kind,
    namespace,
    name,
    order,
    phase,
    maxRunning: positiveInt(annotations[ANNOTATION_MAX_RUNNING]) ?? 1,
    maxKeepRuns: positiveInt(annotations[ANNOTATION_MAX_KEEP_RUNS]),
    ...(finishedAt === undefined ? {} : { finishedAt }),
  };
}

/** The group hash label of an object, if it has one. */
export function groupHashOf(object: unknown): string | undefined {
  const hash = asRecord(asRecord(asRecord(object)["metadata"])["labels"])[LABEL_GROUP_HASH];
  return typeof hash === "string" && hash !== "" ? hash : undefined;
}

function positiveInt(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^[1-9][0-9]{0,8}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
