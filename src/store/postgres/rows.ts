import { EVENT_TYPE_HEADERS, EVENT_TYPE_MAX_CHARS } from "../../core/event-type.js";
import { parseTraceCarrier } from "../../core/span-parent.js";
import {
  readStoredTraceColumn,
  type ResolveSet,
  type StoredTraceEntry,
} from "../read-stored-traces.js";
import type { TriggerTrace } from "../../listener/types.js";
import type { Provider } from "../../core/incoming-event.js";
import { parseRunOrigin, parseStoredDeliveries } from "../parse-stored-deliveries.js";
import type {
  ClaimedRun,
  EventOutcome,
  EventSummary,
  RunRecord,
  RunState,
  StoredEvent,
} from "../types.js";
import { parseStoredBody } from "../stored-body.js";
import type { RunConcurrency } from "../../concurrency/types.js";

/** Columns of `events` as `pg` returns them (json parsed, bytea a Buffer, timestamptz a Date). */
export interface EventRow {
  id: string;
  listener_namespace: string;
  listener_name: string;
  provider: Provider;
  received_delivery_id: string | null;
  received_at: Date;
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: Buffer;
  /** For a body not kept: `{ size, sha256, reason }` (the body column is then empty). */
  body_not_kept: unknown;
  status: number;
  outcome: EventOutcome;
  /** The traces, then the compact not-applicable entries (src/store/read-stored-traces.ts). */
  traces: StoredTraceEntry[];
  duplicate_of: string | null;
  replay_of: string | null;
  /** The request's trace context (a JSON carrier); NULL when tracing was off. */
  trace_context: unknown;
  /** The event's not-applicable set; NULL when none, and in rows from before. */
  not_applicable_set: string | null;
}

export type SummaryRow = Omit<
  EventRow,
  | "method"
  | "url"
  | "headers"
  | "body"
  | "body_not_kept"
  | "traces"
  | "trace_context"
  | "not_applicable_set"
> & {
  /** The triggers that ran (and, in rows from before sets, the not-applicable ones too). */
  trigger_names: string[];
  /** The size of the event's not-applicable set (0 in rows from before). */
  not_applicable_count?: number;
  trigger_outcomes: TriggerTrace["outcome"]["kind"][];
  event_type: string | null;
};

export interface RunRow {
  id: string;
  event_id: string;
  /** `trigger` or `listener` (see RunOrigin); a listener's run has no trace_index nor trigger. */
  origin: string;
  trace_index: number | null;
  trigger: string | null;
  namespace: string;
  service_account: string | null;
  state: RunState;
  attempts: number;
  first_attempt_at: Date | null;
  next_attempt_at: Date;
  last_error: string | null;
  /** As stored: parsed by parseStoredDeliveries (records from before delivery kinds included). */
  deliveries: unknown;
  /** The event's trace context (a JSON carrier); NULL when tracing was off. */
  trace_context: unknown;
  /** The run's RunConcurrency; NULL for a run of no group. */
  concurrency: RunConcurrency | null;
  /** For a superseded run: the event that superseded it. */
  superseded_by: string | null;
}

/** A run row as its claim returns it, with the fence value the claim was given. */
export type ClaimedRunRow = RunRow & { fence: number };

export const EVENT_COLUMNS =
  "id, listener_namespace, listener_name, provider, received_delivery_id, received_at, method, " +
  "url, headers, body, body_not_kept, status, outcome, traces, duplicate_of, replay_of, trace_context, " +
  "not_applicable_set";

/**
 * The event type, read out of the stored headers (the first value of the first of
 * EVENT_TYPE_HEADERS present), cut as resolveEventType cuts it.
 */
const EVENT_TYPE_COLUMN = `left(coalesce(${EVENT_TYPE_HEADERS.map(
  (h) => `nullif(headers -> '${h}' ->> 0, '')`,
).join(", ")}), ${EVENT_TYPE_MAX_CHARS}) AS event_type`;

export const SUMMARY_COLUMNS =
  "id, listener_namespace, listener_name, provider, received_delivery_id, received_at, status, " +
  `outcome, trigger_names, trigger_outcomes, not_applicable_count, duplicate_of, replay_of, ${EVENT_TYPE_COLUMN}`;

export const RUN_COLUMNS =
  "id, event_id, origin, trace_index, trigger, namespace, service_account, state, attempts, " +
  "first_attempt_at, next_attempt_at, last_error, deliveries, trace_context, concurrency, " +
  "superseded_by";

export function eventFromRow(row: EventRow, resolve?: ResolveSet): StoredEvent {
  const event: StoredEvent = {
    id: row.id,
    listener: { namespace: row.listener_namespace, name: row.listener_name },
    provider: row.provider,
    deliveryId: row.received_delivery_id ?? undefined,
    receivedAt: row.received_at,
    method: row.method,
    url: row.url,
    headers: row.headers,
    body: parseStoredBody(row.body, row.body_not_kept),
    status: row.status,
    outcome: row.outcome,
    ...readStoredTraceColumn(row.traces, resolve),
  };
  if (row.duplicate_of !== null) event.duplicateOf = row.duplicate_of;
  if (row.replay_of !== null) event.replayOf = row.replay_of;
  const traceContext = parseTraceCarrier(row.trace_context);
  if (traceContext !== undefined) event.traceContext = traceContext;
  return event;
}

export function summaryFromRow(row: SummaryRow): EventSummary {
  const summary: EventSummary = {
    id: row.id,
    listener: { namespace: row.listener_namespace, name: row.listener_name },
    provider: row.provider,
    eventType: row.event_type ?? undefined,
    deliveryId: row.received_delivery_id ?? undefined,
    receivedAt: row.received_at,
    status: row.status,
    outcome: row.outcome,
    triggers: [],
    // Rows of this version count their set here; older ones list every name in trigger_names.
    notApplicable: row.not_applicable_count ?? 0,
  };
  for (const [i, trigger] of row.trigger_names.entries()) {
    const outcome = row.trigger_outcomes[i] ?? "failed";
    if (outcome === "not_applicable") summary.notApplicable += 1;
    else summary.triggers.push({ trigger, outcome });
  }
  if (row.duplicate_of !== null) summary.duplicateOf = row.duplicate_of;
  if (row.replay_of !== null) summary.replayOf = row.replay_of;
  return summary;
}

export function runFromRow(row: RunRow): RunRecord {
  const run: RunRecord = {
    id: row.id,
    eventId: row.event_id,
    origin: parseRunOrigin(row.origin, row.trace_index, row.trigger),
    namespace: row.namespace,
    serviceAccountName: row.service_account ?? undefined,
    state: row.state,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at ?? undefined,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error ?? undefined,
    deliveries: parseStoredDeliveries(row.deliveries),
  };
  const traceContext = parseTraceCarrier(row.trace_context);
  if (traceContext !== undefined) run.traceContext = traceContext;
  if (row.concurrency !== null) run.concurrency = row.concurrency;
  if (row.superseded_by !== null) run.supersededBy = row.superseded_by;
  return run;
}

export function claimedFromRow(row: ClaimedRunRow): ClaimedRun {
  return { ...runFromRow(row), claimToken: row.fence };
}
