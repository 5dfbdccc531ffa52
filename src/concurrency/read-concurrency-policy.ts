import { nearestName } from "../core/nearest-name.js";
import {
  ANNOTATION_GROUP,
  ANNOTATION_MAX_KEEP_RUNS,
  ANNOTATION_MAX_RUNNING,
  ANNOTATION_STRATEGY,
  CONCURRENCY_STRATEGIES,
  type ConcurrencyStrategy,
  type ConcurrentKind,
} from "./types.js";

/** The concurrency annotations of a resource template, in the order they are checked. */
export const CONCURRENCY_ANNOTATIONS = [
  ANNOTATION_GROUP,
  ANNOTATION_STRATEGY,
  ANNOTATION_MAX_RUNNING,
  ANNOTATION_MAX_KEEP_RUNS,
] as const;

/** The apiVersions of Tekton's PipelineRun and TaskRun that hookline cancels and queues. */
export const CONCURRENT_API_VERSIONS: readonly string[] = ["tekton.dev/v1", "tekton.dev/v1beta1"];
const CONCURRENT_KINDS: readonly ConcurrentKind[] = ["PipelineRun", "TaskRun"];

/** A resource's concurrency policy, as its annotations declare it (defaults applied). */
export interface ConcurrencyPolicy {
  group: string;
  strategy: ConcurrencyStrategy;
  kind: ConcurrentKind;
  apiVersion: string;
  maxRunning: number;
  maxKeepRuns: number | undefined;
}

/** What is wrong with one annotation (or with the kind, named by the first annotation present). */
export interface ConcurrencyProblem {
  annotation: string;
  message: string;
}

export type PolicyReading =
  /** No concurrency annotation at all: the resource is created as before. */
  | { kind: "none" }
  | { kind: "policy"; policy: ConcurrencyPolicy }
  /**
   * A value is still a param (at load): what could be checked was, and nothing was wrong. The
   * rendered resource is read again when an event fires the trigger.
   */
  | { kind: "deferred" }
  | { kind: "invalid"; problems: ConcurrencyProblem[] };

/**
 * Reads and checks a resource's `hookline.dev/concurrency-*` annotations: the rules of issue 12's
 * design, one place for the load check (src/config/check-concurrency-annotations.ts, which adds
 * file:line:col) and for the rendered resource (a param's value checked when it is known).
 *
 * - only on Tekton PipelineRun and TaskRun, `tekton.dev/v1` or `v1beta1`;
 * - `hookline.dev/concurrency`, `max-running` and `max-keep-runs` only with a group;
 * - the group a non-empty string; the strategy one of CONCURRENCY_STRATEGIES (default
 *   `queue-latest`, GitHub Actions' `concurrency: group` alone); `cancel-in-progress-gracefully`
 *   not on a TaskRun (it has no finally tasks);
 * - `max-running` a positive integer, only with `queue` or `queue-latest` (default 1);
 *   `max-keep-runs` a positive integer.
 *
 * `isDeferred` says which values are not known yet (they hold `$(tt.params.x)` at load): those
 * are skipped; the rendered resource passes nothing as deferred.
 */
export function readConcurrencyPolicy(
  resource: { apiVersion: unknown; kind: unknown; annotations: Readonly<Record<string, unknown>> },
  isDeferred: (value: string) => boolean = () => false,
): PolicyReading {
  const { annotations } = resource;
  const present = CONCURRENCY_ANNOTATIONS.filter((a) => Object.hasOwn(annotations, a));
  const first = present[0];
  if (first === undefined) return { kind: "none" };
  const problems: ConcurrencyProblem[] = [];
  let deferred = false;
  const problem = (annotation: string, message: string): undefined => {
    problems.push({ annotation, message });
    return undefined;
  };
  /** The annotation's text; undefined when absent, deferred or not a string (reported). */
  const text = (annotation: string): string | undefined => {
    if (!Object.hasOwn(annotations, annotation)) return undefined;
    const value = annotations[annotation];
    if (typeof value !== "string")
      return problem(annotation, `must be a string (quote it: "${String(value)}")`);
    if (isDeferred(value)) {
      deferred = true;
      return undefined;
    }
    return value;
  };

  const apiVersion = typeof resource.apiVersion === "string" ? resource.apiVersion : "";
  const kindText = typeof resource.kind === "string" ? resource.kind : "";
  const kind = CONCURRENT_KINDS.find((k) => k === kindText);
  if (isDeferred(apiVersion) || isDeferred(kindText)) deferred = true;
  else if (kind === undefined || !CONCURRENT_API_VERSIONS.includes(apiVersion))
    problem(
      first,
      `concurrency annotations are only for Tekton's PipelineRun and TaskRun (${CONCURRENT_API_VERSIONS.join(", ")}), the kinds that can be queued and cancelled, not ${apiVersion} ${kindText}`,
    );

  const hasGroup = Object.hasOwn(annotations, ANNOTATION_GROUP);
  if (!hasGroup)
    for (const a of present)
      problem(a, `${a} needs ${ANNOTATION_GROUP}: the group of runs it applies to`);
  const group = text(ANNOTATION_GROUP);
  if (group !== undefined && group.trim() === "")
    problem(ANNOTATION_GROUP, "the group must not be empty");

  let strategy: ConcurrencyStrategy = "queue-latest";
  const strategyText = text(ANNOTATION_STRATEGY);
  if (strategyText !== undefined) {
    const known = CONCURRENCY_STRATEGIES.find((s) => s === strategyText);
    if (known === undefined) {
      const near = nearestName(strategyText, CONCURRENCY_STRATEGIES);
      problem(
        ANNOTATION_STRATEGY,
        `unknown strategy "${strategyText}"${near === undefined ? "" : ` (did you mean "${near}"?)`}: it must be one of ${CONCURRENCY_STRATEGIES.join(", ")}`,
      );
    } else strategy = known;
  }
  if (strategy === "cancel-in-progress-gracefully" && kind === "TaskRun")
    problem(
      ANNOTATION_STRATEGY,
      "a TaskRun has no finally tasks: use cancel-in-progress (cancel-in-progress-gracefully is for PipelineRuns)",
    );

  const maxRunningText = text(ANNOTATION_MAX_RUNNING);
  const maxRunning = positiveInteger(ANNOTATION_MAX_RUNNING, maxRunningText, problem);
  if (
    Object.hasOwn(annotations, ANNOTATION_MAX_RUNNING) &&
    strategyText !== undefined &&
    strategy !== "queue" &&
    strategy !== "queue-latest"
  )
    problem(
      ANNOTATION_MAX_RUNNING,
      `${ANNOTATION_MAX_RUNNING} limits a queue: it goes with ${ANNOTATION_STRATEGY}: queue or queue-latest, not ${strategy}`,
    );
  const maxKeepRuns = positiveInteger(
    ANNOTATION_MAX_KEEP_RUNS,
    text(ANNOTATION_MAX_KEEP_RUNS),
    problem,
  );

  if (problems.length > 0) return { kind: "invalid", problems };
  if (deferred || group === undefined || kind === undefined) return { kind: "deferred" };
  return {
    kind: "policy",
    policy: { group, strategy, kind, apiVersion, maxRunning: maxRunning ?? 1, maxKeepRuns },
  };
}

/** `1`, `2`, …: written in decimal, no sign, no leading zero. */
function positiveInteger(
  annotation: string,
  value: string | undefined,
  problem: (annotation: string, message: string) => undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (/^[1-9][0-9]*$/.test(value) && Number.isSafeInteger(n)) return n;
  return problem(annotation, `must be a positive whole number such as "1", got "${value}"`);
}

/** The text of a problem as one line: `hookline.dev/max-running: must be …`. */
export function describeProblem(p: ConcurrencyProblem): string {
  return `${p.annotation}: ${p.message}`;
}
