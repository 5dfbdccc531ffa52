import { ApiException, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "../../core/logger.js";
import { parseGroupRun } from "../../concurrency/parse-group-run.js";
import { runPhase } from "../../concurrency/run-phase.js";
import {
  LABEL_GROUP_HASH,
  type CancelledRun,
  type CancelSelector,
  type ConcurrentKind,
  type GroupRun,
} from "../../concurrency/types.js";
import { HooklineError } from "../../errors/hookline-error.js";
import type { StartDelivery } from "../../store/types.js";
import type { ObjectClient } from "./create-object-client.js";
import { byOrder } from "../../concurrency/by-order.js";

/** Tries of one patch whose object changed under it (409 on its resourceVersion) before giving up. */
const MAX_CONFLICTS = 5;

/**
 * Cancels the runs of a group the selector names: lists the namespace by the group-hash label at
 * the selector's apiVersion and kind, keeps those ordered before `selector.before` in the phases
 * the scope names (`pending`; or `all`: pending and running), and merge-patches each one's
 * `spec.status` at its own apiVersion. A run already cancelling or done is skipped, so a retry
 * cancels nothing twice (and returns only what it patched itself).
 *
 * Each patch carries the resourceVersion the run was read at, so it applies only to the state it
 * was chosen in: a run that finished or started meanwhile (409) is read again and decided again.
 * A pending PipelineRun is cancelled with `Cancelled` even when the selector says
 * `CancelledRunFinally`: it never ran, so it has no finally tasks to run (Tekton's docs name
 * `Cancelled` as the way to cancel a pending run).
 */
export async function cancelGroupRuns(
  client: ObjectClient,
  selector: CancelSelector,
  log: Logger,
): Promise<CancelledRun[]> {
  const { apiVersion, kind, namespace } = selector;
  const plural = await pluralOf(client, apiVersion, kind);
  const list = await client.list(
    apiVersion,
    kind,
    namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    `${LABEL_GROUP_HASH}=${selector.groupHash}`,
  );
  const wanted = (run: GroupRun): boolean =>
    run.order < selector.before &&
    (run.phase === "pending" || (selector.scope === "all" && run.phase === "running"));
  const cancelled: CancelledRun[] = [];
  const candidates = list.items
    .map((item) => ({ item, run: parseGroupRun(item, { apiVersion, kind, namespace }) }))
    .filter((x): x is { item: KubernetesObject; run: GroupRun } => x.run !== undefined)
    .sort((a, b) => byOrder(a.run, b.run));
  for (const { item, run } of candidates) {
    if (!wanted(run)) continue;
    const patched = await patchWhile(client, item, run, wanted, (current) => ({
      spec: { status: cancelStatus(current, selector.status) },
    }));
    if (!patched) continue;
    log.info("cancelled a run of the concurrency group", {
      kind: run.kind,
      namespace: run.namespace,
      name: run.name,
      status: cancelStatus(run, selector.status),
    });
    cancelled.push(runLocation(run, plural));
  }
  return cancelled;
}

/**
 * Starts a queued run: merge-patches `{"spec":{"status":null}}` while it is still pending (read
 * first; the patch carries that resourceVersion). A run that is no longer pending (started,
 * cancelled, done) is left alone: the start is done. A run that is gone is a permanent failure.
 */
export async function startGroupRun(
  client: ObjectClient,
  target: StartDelivery["target"],
  log: Logger,
): Promise<CancelledRun> {
  const { apiVersion, kind, namespace, name } = target;
  const plural = await pluralOf(client, apiVersion, kind);
  const source = { apiVersion, kind, namespace };
  let item: KubernetesObject;
  try {
    item = await client.read({ apiVersion, kind, metadata: { name, namespace } });
  } catch (err) {
    if (isCode(err, 404)) {
      throw new HooklineError(
        "HL_SINK_WRITE_FAILED",
        `${kind} "${namespace}/${name}" is gone (deleted before it was started): nothing to start`,
        { retryable: false, status: 404, reason: "NotFound" },
        { cause: err },
      );
    }
    throw err;
  }
  const run = parseGroupRun(item, source) ?? {
    ...target,
    order: "",
    phase: runPhase(item),
    maxRunning: 1,
    maxKeepRuns: undefined,
  };
  const pending = (r: GroupRun): boolean => r.phase === "pending";
  const patched =
    pending(run) &&
    (await patchWhile(client, item, run, pending, () => ({ spec: { status: null } })));
  if (patched) log.info("started a queued run", { kind, namespace, name });
  else log.info("run was no longer pending; nothing to start", { kind, namespace, name });
  return runLocation({ ...run, kind, namespace, name }, plural);
}

/**
 * Merge-patches `item` while `still(run)` holds, pinned to the resourceVersion it was read at;
 * on 409 (changed since) reads it again and decides again. False when it no longer qualified
 * (or is gone); true when the patch was applied.
 */
async function patchWhile(
  client: ObjectClient,
  item: KubernetesObject,
  run: GroupRun,
  still: (run: GroupRun) => boolean,
  body: (run: GroupRun) => Record<string, unknown>,
): Promise<boolean> {
  const source = { apiVersion: run.apiVersion, kind: run.kind, namespace: run.namespace };
  let current = item;
  let currentRun = run;
  for (let attempt = 1; ; attempt++) {
    const ref = {
      apiVersion: run.apiVersion,
      kind: run.kind,
      metadata: { name: run.name, namespace: run.namespace },
    };
    const resourceVersion = current.metadata?.resourceVersion;
    try {
      await client.patchObject(
        ref,
        {
          ...body(currentRun),
          ...(resourceVersion === undefined ? {} : { metadata: { resourceVersion } }),
        },
        PatchStrategy.MergePatch,
      );
      return true;
    } catch (err) {
      if (isCode(err, 404)) return false;
      if (!isCode(err, 409)) throw err;
      if (attempt >= MAX_CONFLICTS) {
        // Written to by someone else on every try: another attempt later can pass.
        throw new HooklineError(
          "HL_SINK_WRITE_FAILED",
          `${run.kind} "${run.namespace}/${run.name}" changed under each of ${MAX_CONFLICTS} patches (409 Conflict)`,
          { retryable: true, status: 409, reason: "Conflict" },
          { cause: err },
        );
      }
    }
    try {
      current = await client.read(ref);
    } catch (err) {
      if (isCode(err, 404)) return false;
      throw err;
    }
    const reread = parseGroupRun(current, source);
    if (reread === undefined || !still(reread)) return false;
    currentRun = reread;
  }
}

/** `CancelledRunFinally` only for a PipelineRun that ran; a pending one gets `Cancelled`. */
function cancelStatus(run: GroupRun, wanted: CancelSelector["status"]): CancelSelector["status"] {
  if (run.kind === "TaskRun") return "TaskRunCancelled";
  if (wanted === "TaskRunCancelled") return "Cancelled";
  return run.phase === "pending" ? "Cancelled" : wanted;
}

async function pluralOf(
  client: ObjectClient,
  apiVersion: string,
  kind: ConcurrentKind,
): Promise<string> {
  const api = await client.discover(apiVersion, kind);
  if (api === undefined) {
    throw new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `the Kubernetes API serves no kind "${kind}" in "${apiVersion}" (is Tekton Pipelines installed?)`,
      { retryable: false, status: 404, reason: "NotFound" },
    );
  }
  return api.name;
}

function runLocation(
  run: { apiVersion: string; kind: ConcurrentKind; namespace: string; name: string },
  plural: string,
): CancelledRun {
  return {
    kind: run.kind,
    namespace: run.namespace,
    name: run.name,
    location: `/apis/${run.apiVersion}/namespaces/${run.namespace}/${plural}/${run.name}`,
  };
}

function isCode(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}
