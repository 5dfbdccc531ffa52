import { traceIdOf } from "../core/span-parent.js";
import { assertNever } from "../errors/assert-never.js";
import type { FoldedNotApplicable } from "../listener/fold-not-applicable.js";
import { foldedNotApplicable } from "../listener/ruled-out-counts.js";
import type { NotApplicableTrigger } from "../listener/types.js";
import { REDACTED } from "../store/redact-headers.js";
import type { GroupRunStore } from "../concurrency/types.js";
import type { DeliveryAttempt, HttpAnswerRecord, RunRecord, StoredEvent } from "../store/types.js";
import type { HttpRequestBody } from "../templates/types.js";

/** An event as the API and the page show it: the body as text when it is text. */
export interface EventView {
  id: string;
  listener: { namespace: string; name: string };
  provider: string;
  deliveryId: string | null;
  receivedAt: string;
  method: string;
  url: string;
  status: number;
  outcome: string;
  duplicateOf: string | null;
  replayOf: string | null;
  /** The request's trace id, when tracing was on. */
  traceId: string | null;
  headers: Record<string, string[]>;
  body: BodyView;
  /** The triggers that ran, each with its decision trace. */
  triggers: TriggerView[];
  /** The triggers the event was not for, folded by what ruled them out; null when none. */
  notApplicable: FoldedNotApplicable | null;
  /** The listener's own deliveries (Tekton's lifecycle CloudEvents to its cloudEventURI). */
  listenerDelivery: DeliveryView | null;
}

/**
 * The body as text when it is text, else base64; or, for a request nobody authenticated and that
 * fired nothing, only its size, hash and reason ("body not kept").
 */
export type BodyView =
  | { kept: true; encoding: "utf8" | "base64"; data: string; bytes: number }
  | { kept: false; bytes: number; sha256: string; reason: string };

export interface TriggerView {
  trigger: string;
  namespace: string;
  triggerId: string;
  group: string | null;
  via: string;
  outcome: StoredEvent["traces"][number]["outcome"];
  durationMs: number;
  interceptors: StoredEvent["traces"][number]["interceptors"];
  extensions: Record<string, unknown>;
  params: StoredEvent["traces"][number]["params"];
  /** The delivery of this trigger's resources, when it fired. */
  delivery: DeliveryView | null;
}

/** A run: its state, and its deliveries by kind (each list in delivery order). */
export interface DeliveryView {
  state: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  resources: ResourceView[];
  /** `hookline.dev/v1alpha1` `Patch` entries: existing objects patched by the resource sink. */
  patches: PatchView[];
  /** `hookline.dev/v1alpha1` `HTTPRequest` entries: endpoints called, with what they answered. */
  httpRequests: HttpRequestView[];
  cloudEvents: CloudEventView[];
  /** Cancellations of a concurrency group's older runs, and starts of queued runs (issue 12). */
  groupActions: GroupActionView[];
  /** For a `superseded` run: the event of its group that took its place. */
  supersededBy: string | null;
  /** The run's concurrency group, when its resource template declares one. */
  concurrency: { group: string; groupId: string; strategy: string } | null;
  /**
   * A run of a queue group whose resource was created Pending and waits for a slot: `ahead` is
   * how many of the group's pending runs start before it, as the group's run store shows them
   * when the view is made (null when no store can tell: see withQueuePositions). Null otherwise.
   */
  queued: { ahead: number | null } | null;
}

export interface GroupActionView {
  action: "cancel" | "start";
  kind: string;
  namespace: string;
  /** The runs cancelled or started, once sent. */
  runs: { name: string; location: string }[];
  /** A start's run, by name (known before it is sent); null for a cancel. */
  target: string | null;
  deliveryKey: string;
  state: string;
  attempts: DeliveryAttempt[];
}

export interface HttpRequestView {
  /** The entry's place among the trigger's resourcetemplates (from 0). */
  seq: number;
  method: string;
  url: string;
  /** Values written out, or the Secret they are read from (never the value). */
  headers: {
    name: string;
    value: string | null;
    secretRef: { name: string; key: string } | null;
  }[];
  body: HttpRequestBody | null;
  expectedStatuses: number[] | null;
  timeoutMs: number;
  /** Sent as `Idempotency-Key` on every attempt. */
  deliveryKey: string;
  state: string;
  attempts: DeliveryAttempt[];
  /** The latest answer: status and first bytes (secret values redacted). */
  answer: HttpAnswerRecord | null;
}

export interface PatchView {
  /** The entry's place among the trigger's resourcetemplates (from 0). */
  seq: number;
  target: { apiVersion: string; kind: string; namespace: string; name: string };
  type: string;
  patch: unknown;
  state: string;
  deliveryKey: string;
  attempts: DeliveryAttempt[];
}

export interface ResourceView {
  kind: string;
  namespace: string;
  name: string | null;
  state: string;
  deliveryKey: string;
  attempts: DeliveryAttempt[];
  body: Record<string, unknown>;
}

export interface CloudEventView {
  /** The CloudEvent's type, e.g. `dev.tekton.event.triggers.started.v1`. */
  type: string;
  id: string;
  uri: string;
  state: string;
  deliveryKey: string;
  attempts: DeliveryAttempt[];
}

export function toEventView(event: StoredEvent, runs: readonly RunRecord[]): EventView {
  const listenerRun = runs.find((r) => r.origin.kind === "listener");
  return {
    id: event.id,
    listener: event.listener,
    provider: event.provider,
    deliveryId: event.deliveryId ?? null,
    receivedAt: event.receivedAt.toISOString(),
    method: event.method,
    url: event.url,
    status: event.status,
    outcome: event.outcome,
    duplicateOf: event.duplicateOf ?? null,
    replayOf: event.replayOf ?? null,
    traceId: event.traceContext === undefined ? null : (traceIdOf(event.traceContext) ?? null),
    headers: redactForDisplay(event.headers),
    body: toBodyView(event.body),
    triggers: event.traces.flatMap((t, i): TriggerView[] => {
      // A row from before the compact list keeps full not-applicable traces: folded below.
      if (t.outcome.kind === "not_applicable") return [];
      const run = runs.find((r) => r.origin.kind === "trigger" && r.origin.traceIndex === i);
      const view: TriggerView = {
        trigger: t.trigger,
        namespace: t.namespace,
        triggerId: t.triggerId,
        group: t.group ?? null,
        via: t.via,
        outcome: t.outcome,
        durationMs: t.durationMs,
        interceptors: t.interceptors,
        extensions: t.extensions,
        params: t.params,
        delivery: run === undefined ? null : withStarts(toDeliveryView(run), run, runs),
      };
      return [view];
    }),
    notApplicable: foldedNotApplicable(notApplicableOf(event)) ?? null,
    listenerDelivery: listenerRun === undefined ? null : toDeliveryView(listenerRun),
  };
}

/** The compact list, and the full not-applicable traces of an older row, in trace order. */
function notApplicableOf(event: StoredEvent): readonly NotApplicableTrigger[] {
  // A row of this version: its list as read (a journal's parsed set, shared by its events).
  if (!event.traces.some((t) => t.outcome.kind === "not_applicable"))
    return event.notApplicable ?? [];
  const old = event.traces.flatMap((t) =>
    t.outcome.kind === "not_applicable"
      ? [{ trigger: t.trigger, ruledOutBy: t.outcome.ruledOutBy }]
      : [],
  );
  return [...old, ...(event.notApplicable ?? [])];
}

function toBodyView(body: StoredEvent["body"]): BodyView {
  switch (body.kind) {
    case "kept": {
      const text = body.bytes.toString("utf8");
      return Buffer.from(text, "utf8").equals(body.bytes)
        ? { kept: true, encoding: "utf8", data: text, bytes: body.bytes.length }
        : {
            kept: true,
            encoding: "base64",
            data: body.bytes.toString("base64"),
            bytes: body.bytes.length,
          };
    }
    case "not-kept":
      return { kept: false, bytes: body.size, sha256: body.sha256, reason: body.reason };
    default:
      return assertNever(body);
  }
}

function toDeliveryView(run: RunRecord): DeliveryView {
  const view: DeliveryView = {
    state: run.state,
    attempts: run.attempts,
    nextAttemptAt: run.state === "pending" ? run.nextAttemptAt.toISOString() : null,
    lastError: run.lastError ?? null,
    resources: [],
    patches: [],
    httpRequests: [],
    cloudEvents: [],
    groupActions: [],
    supersededBy: run.supersededBy ?? null,
    concurrency:
      run.concurrency === undefined
        ? null
        : {
            group: run.concurrency.group,
            groupId: run.concurrency.groupId,
            strategy: run.concurrency.strategy,
          },
    queued: isQueued(run) ? { ahead: null } : null,
  };
  for (const d of run.deliveries) {
    switch (d.kind) {
      case "resource":
        view.resources.push({
          kind: d.resource.kind,
          namespace: d.resource.namespace,
          name: d.created?.name ?? d.resource.name ?? null,
          state: d.state,
          deliveryKey: d.deliveryKey,
          attempts: d.attempts,
          body: d.resource.body,
        });
        break;
      case "patch":
        view.patches.push({
          seq: d.seq,
          target: d.patch.target,
          type: d.patch.type,
          patch: d.patch.patch,
          state: d.state,
          deliveryKey: d.deliveryKey,
          attempts: d.attempts,
        });
        break;
      case "http":
        view.httpRequests.push({
          seq: d.seq,
          method: d.request.method,
          url: d.request.url,
          headers: d.request.headers.map(({ name, value }) =>
            value.kind === "literal"
              ? { name, value: value.value, secretRef: null }
              : { name, value: null, secretRef: value.secretRef },
          ),
          body: d.request.body ?? null,
          expectedStatuses: d.request.expectedStatuses ?? null,
          timeoutMs: d.request.timeoutMs,
          deliveryKey: d.deliveryKey,
          state: d.state,
          attempts: d.attempts,
          answer: d.answer ?? null,
        });
        break;
      case "cloudevent":
        view.cloudEvents.push({
          type: d.event.type,
          id: d.event.id,
          uri: d.uri,
          state: d.state,
          deliveryKey: d.deliveryKey,
          attempts: d.attempts,
        });
        break;
      case "cancel":
        view.groupActions.push({
          action: "cancel",
          kind: d.selector.kind,
          namespace: d.selector.namespace,
          runs: (d.cancelled ?? []).map(({ name, location }) => ({ name, location })),
          target: null,
          deliveryKey: d.deliveryKey,
          state: d.state,
          attempts: d.attempts,
        });
        break;
      case "start":
        view.groupActions.push({
          action: "start",
          kind: d.target.kind,
          namespace: d.target.namespace,
          runs:
            d.started === undefined ? [] : [{ name: d.started.name, location: d.started.location }],
          target: d.target.name,
          deliveryKey: d.deliveryKey,
          state: d.state,
          attempts: d.attempts,
        });
        break;
      default:
        assertNever(d);
    }
  }
  return view;
}

/**
 * The group scheduler's start of this run (a run of origin `group`, recorded on the event of the
 * run it starts), shown with the run it started: "started PipelineRun x (was queued)".
 */
function withStarts(view: DeliveryView, run: RunRecord, runs: readonly RunRecord[]): DeliveryView {
  const groupId = run.concurrency?.groupId;
  if (groupId === undefined) return view;
  const names = new Set(
    run.deliveries.flatMap((d) =>
      d.kind === "resource" && d.created !== undefined ? [d.created.name] : [],
    ),
  );
  for (const r of runs)
    if (r.origin.kind === "group" && r.origin.groupId === groupId)
      for (const d of r.deliveries)
        if (d.kind === "start" && names.has(d.target.name))
          view.groupActions.push(...toDeliveryView(r).groupActions);
  return view;
}

/** The spec.status a queue group's run is created with (src/listener/plan-runs.ts). */
const PENDING_STATUSES: ReadonlySet<unknown> = new Set(["PipelineRunPending", "TaskRunPending"]);

/**
 * A run of a `queue` / `queue-latest` group whose grouped resource was created Pending: it waits
 * for the group scheduler to start it (a start run of origin `group`, shown on its own).
 */
function isQueued(run: RunRecord): boolean {
  const strategy = run.concurrency?.strategy;
  if (strategy !== "queue" && strategy !== "queue-latest") return false;
  return run.deliveries.some((d) => {
    if (d.kind !== "resource" || d.state !== "delivered") return false;
    const spec = d.resource.body["spec"];
    return (
      typeof spec === "object" &&
      spec !== null &&
      PENDING_STATUSES.has((spec as Record<string, unknown>)["status"])
    );
  });
}

/**
 * What a view's queued runs wait behind, from the group's run store (the cluster, the local
 * sink's directory) as it stands now: `ahead` counts the group's pending runs ordered before the
 * run. A run the store shows started, finished or gone is no longer queued (the field is set to
 * null); without a store (`hookline serve` with a sink that cannot tell) `ahead` stays null. A
 * store that fails leaves the view as it is: the page still renders.
 */
export async function withQueuePositions(
  view: EventView,
  runs: readonly RunRecord[],
  store: GroupRunStore | undefined,
): Promise<EventView> {
  if (store === undefined) return view;
  await Promise.all(
    view.triggers.map(async ({ delivery: d }) => {
      if (d === null || d.queued === null) return;
      // The run whose resources this view shows (delivery keys are unique to a run).
      const key = d.resources[0]?.deliveryKey;
      const c = runs.find((r) => r.deliveries.some((x) => x.deliveryKey === key))?.concurrency;
      if (c === undefined) return;
      try {
        const group = await store.list({
          apiVersion: c.apiVersion,
          kind: c.kind,
          namespace: c.namespace,
          groupHash: c.groupHash,
        });
        const own = group.find((g) => g.order === c.order);
        d.queued =
          own === undefined || own.phase !== "pending"
            ? null
            : { ahead: group.filter((g) => g.phase === "pending" && g.order < c.order).length };
      } catch {
        // The store could not tell: "queued" without a count.
      }
    }),
  );
  return view;
}

/**
 * The journal keeps signature headers (they are not secrets, and a replay verifies them again),
 * but no answer or page shows one: they are redacted here, with what the journal redacted already.
 */
function redactForDisplay(headers: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers)) {
    out[name] = /signature|token|secret|authorization|cookie|api-?key/i.test(name)
      ? values.map(() => REDACTED)
      : values;
  }
  return out;
}
