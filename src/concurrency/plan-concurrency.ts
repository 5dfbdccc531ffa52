import { createHash } from "node:crypto";
import type { RenderedResource } from "../templates/types.js";
import {
  describeProblem,
  readConcurrencyPolicy,
  type ConcurrencyPolicy,
} from "./read-concurrency-policy.js";
import {
  ANNOTATION_GROUP,
  ANNOTATION_MAX_RUNNING,
  ANNOTATION_STRATEGY,
  LABEL_GROUP_HASH,
  LABEL_GROUP_ORDER,
  type CancelSelector,
  type RunConcurrency,
} from "./types.js";

/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_LABEL_VALUE = 63;

/** What a grouped resource becomes in its run. */
export interface PlannedConcurrency {
  /** The resource with the group's labels (and Pending, for a queue strategy). */
  resource: RenderedResource;
  concurrency: RunConcurrency;
  /** The group's older runs to cancel just before the resource is created, if the strategy does. */
  cancel: CancelSelector | undefined;
}

/**
 * A rendered resource's concurrency (issue 12), from its rendered annotations: undefined when it
 * has none. Its group key hashed (first 40 hex of SHA-256: any key fits a label), its order in
 * the group (receivedAt in ms, 13 digits, then the delivery key: later events sort after earlier
 * ones), the two labels added; `queue` and `queue-latest` create it Pending (PipelineRunPending,
 * TaskRunPending) for the group scheduler to start; `cancel-in-progress(-gracefully)` cancels the
 * older runs, running and pending, and `queue-latest` the older pending ones, before it is created.
 *
 * The annotations were checked when the trigger rendered them (checkRenderedConcurrency): an
 * invalid one here is a bug, and throws.
 */
export function planConcurrency(
  resource: RenderedResource,
  deliveryKey: string,
  receivedAt: Date,
): PlannedConcurrency | undefined {
  const policy = policyOf(resource);
  if (policy === undefined) return undefined;
  const groupHash = createHash("sha256").update(policy.group).digest("hex").slice(0, 40);
  const order = groupOrder(receivedAt, deliveryKey);
  const concurrency: RunConcurrency = {
    group: policy.group,
    groupId: `${resource.namespace}/${groupHash}`,
    groupHash,
    strategy: policy.strategy,
    maxRunning: policy.maxRunning,
    maxKeepRuns: policy.maxKeepRuns,
    order,
    kind: policy.kind,
    apiVersion: policy.apiVersion,
    namespace: resource.namespace,
  };
  return {
    resource: withGroup(resource, concurrency),
    concurrency,
    cancel: cancelSelector(concurrency),
  };
}

/**
 * The rendered resources' concurrency annotations checked now that their params are known: the
 * message that fails the trigger (stage "template"), or undefined when all are valid.
 */
export function checkRenderedConcurrency(
  resources: readonly RenderedResource[],
): string | undefined {
  let grouped = 0;
  for (const resource of resources) {
    const reading = readConcurrencyPolicy({
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      annotations: annotationsOf(resource),
    });
    if (reading.kind === "invalid")
      return `${resource.kind} ${resource.name ?? resource.generateName ?? ""}: ${reading.problems.map(describeProblem).join("; ")}`;
    if (reading.kind === "policy") grouped++;
  }
  if (grouped > 1)
    return `${grouped} resources carry ${ANNOTATION_GROUP}: a trigger's run has one concurrency group`;
  return undefined;
}

/**
 * `1764760000000.<deliveryKey>` with the key's trigger and resource numbers padded to 4 digits (so
 * trigger 10 sorts after trigger 9), or the key's hash when that would not fit a label value.
 */
export function groupOrder(receivedAt: Date, deliveryKey: string): string {
  const ms = String(receivedAt.getTime()).padStart(13, "0");
  const order = `${ms}.${deliveryKey.replace(/\.(\d+)\.(\d+)$/, (_, t: string, r: string) => `.${t.padStart(4, "0")}.${r.padStart(4, "0")}`)}`;
  if (order.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(order)) return order;
  // Still unique per run and ordered by time: the key only breaks ties within a millisecond.
  const hash = createHash("sha256").update(deliveryKey).digest("hex");
  return `${ms}.${hash.slice(0, MAX_LABEL_VALUE - ms.length - 1)}`;
}

function policyOf(resource: RenderedResource): ConcurrencyPolicy | undefined {
  const reading = readConcurrencyPolicy({
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    annotations: annotationsOf(resource),
  });
  switch (reading.kind) {
    case "none":
      return undefined;
    case "policy":
      return reading.policy;
    case "deferred":
    case "invalid":
      throw new Error(
        `bug: the concurrency annotations of ${resource.kind} ${resource.name ?? ""} reached planning unchecked`,
      );
  }
}

/** The older runs this one cancels: none for `queue` (it waits its turn). */
function cancelSelector(c: RunConcurrency): CancelSelector | undefined {
  const address = {
    apiVersion: c.apiVersion,
    kind: c.kind,
    namespace: c.namespace,
    groupHash: c.groupHash,
    before: c.order,
  };
  const cancelled = c.kind === "TaskRun" ? "TaskRunCancelled" : "Cancelled";
  switch (c.strategy) {
    case "cancel-in-progress":
      return { ...address, scope: "all", status: cancelled };
    case "cancel-in-progress-gracefully":
      return { ...address, scope: "all", status: "CancelledRunFinally" };
    case "queue-latest":
      return { ...address, scope: "pending", status: cancelled };
    case "queue":
      return undefined;
  }
}

/**
 * The labels a label selector finds the group's runs by, the policy written out in the
 * annotations (the scheduler reads a run's own: it needs no config), and for a queue strategy
 * the Pending status.
 */
function withGroup(resource: RenderedResource, c: RunConcurrency): RenderedResource {
  const body = resource.body;
  const meta = isRecord(body["metadata"]) ? body["metadata"] : {};
  const labels = {
    ...(isRecord(meta["labels"]) ? meta["labels"] : {}),
    [LABEL_GROUP_HASH]: c.groupHash,
    [LABEL_GROUP_ORDER]: c.order,
  };
  const queued = c.strategy === "queue" || c.strategy === "queue-latest";
  const annotations = {
    ...annotationsOf(resource),
    [ANNOTATION_STRATEGY]: c.strategy,
    ...(queued ? { [ANNOTATION_MAX_RUNNING]: String(c.maxRunning) } : {}),
  };
  const spec = isRecord(body["spec"]) ? body["spec"] : {};
  return {
    ...resource,
    body: {
      ...body,
      metadata: { ...meta, labels, annotations },
      ...(queued
        ? {
            spec: {
              ...spec,
              status: c.kind === "TaskRun" ? "TaskRunPending" : "PipelineRunPending",
            },
          }
        : {}),
    },
  };
}

function annotationsOf(resource: RenderedResource): Record<string, unknown> {
  const meta = resource.body["metadata"];
  return isRecord(meta) && isRecord(meta["annotations"]) ? meta["annotations"] : {};
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
