import { traceIdOf } from "../core/span-parent.js";
import { assertNever } from "../errors/assert-never.js";
import { foldNotApplicable, type FoldedNotApplicable } from "../listener/fold-not-applicable.js";
import type { NotApplicableTrigger } from "../listener/types.js";
import { REDACTED } from "../store/redact-headers.js";
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
}

export interface GroupActionView {
  action: "cancel" | "start";
  kind: string;
  namespace: string;
  /** The runs cancelled or started, once sent. */
  runs: { name: string; location: string }[];
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
        delivery: run === undefined ? null : toDeliveryView(run),
      };
      return [view];
    }),
    notApplicable: foldNotApplicable(notApplicableOf(event)) ?? null,
    listenerDelivery: listenerRun === undefined ? null : toDeliveryView(listenerRun),
  };
}

/** The compact list, and the full not-applicable traces of an older row, in trace order. */
function notApplicableOf(event: StoredEvent): NotApplicableTrigger[] {
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
