import {
  readStoredTraceColumn,
  storedTraceColumnWithSet,
  type ResolveSet,
  type StoredTraceEntry,
} from "../read-stored-traces.js";
import type { NotApplicableSet } from "../not-applicable-set.js";
import type { Provider } from "../../core/incoming-event.js";
import { parseTraceCarrier } from "../../core/span-parent.js";
import { parseRunOrigin, parseStoredDeliveries } from "../parse-stored-deliveries.js";
import type {
  ClaimedRun,
  EventOutcome,
  PlannedRun,
  RunRecord,
  RunState,
  StoredEvent,
} from "../types.js";
import { listenerKey } from "../types.js";
import type { RunConcurrency } from "../../concurrency/types.js";
import { notKeptColumn, parseStoredBody } from "../stored-body.js";
import { packTraces } from "../stored-traces.js";
import { groupOriginColumn } from "../group-origin-column.js";

export interface EventRow {
  id: string;
  listener: string;
  holder_delivery_id: string | null;
  delivery_id: string | null;
  provider: string;
  received_at: number;
  method: string;
  url: string;
  headers: string;
  body: Buffer;
  /** For a body not kept: `{ size, sha256, reason }` as JSON (the body column is then empty). */
  body_not_kept: string | null;
  status: number;
  outcome: string;
  traces: string;
  duplicate_of: string | null;
  replay_of: string | null;
  /** The request's trace context as a JSON carrier; NULL when tracing was off. */
  trace_context: string | null;
  /** The event's not-applicable set (not_applicable_sets.id); NULL when none, and in older rows. */
  not_applicable_set: string | null;
}

export interface RunRow {
  id: string;
  event_id: string;
  /**
   * `trigger`, `listener` or `group` (see RunOrigin); for a listener's run trace_index and trigger
   * are unused, for a group's `trigger` holds its group (group-origin-column.ts).
   */
  origin: string;
  trace_index: number;
  trigger: string;
  namespace: string;
  service_account: string | null;
  state: string;
  attempts: number;
  first_attempt_at: number | null;
  next_attempt_at: number;
  last_error: string | null;
  deliveries: string;
  /** Moves on at every claim and save (see ClaimedRun). */
  fence: number;
  /** The event's trace context as a JSON carrier; NULL when tracing was off. */
  trace_context: string | null;
  /** The run's RunConcurrency as JSON; NULL for a run of no group (and rows from before). */
  concurrency: string | null;
  /** RunConcurrency.groupId, .group and .order, as columns for supersede and filters. */
  group_id: string | null;
  group_key: string | null;
  group_order: string | null;
  /** For a superseded run: the event that superseded it. */
  superseded_by: string | null;
}

/**
 * The event's row; a fired trace's resources are left to its run among `runs` (stored-traces.ts),
 * its not-applicable list to its `set` (written apart, once per set).
 */
export function eventToRow(
  event: StoredEvent,
  holds: string | undefined,
  runs: readonly PlannedRun[] = [],
  set?: NotApplicableSet,
): EventRow {
  return {
    id: event.id,
    listener: listenerKey(event.listener),
    holder_delivery_id: holds ?? null,
    delivery_id: event.deliveryId ?? null,
    provider: event.provider,
    received_at: event.receivedAt.getTime(),
    method: event.method,
    url: event.url,
    headers: JSON.stringify(event.headers),
    body: event.body.kind === "kept" ? event.body.bytes : Buffer.alloc(0),
    body_not_kept: event.body.kind === "kept" ? null : JSON.stringify(notKeptColumn(event.body)),
    status: event.status,
    outcome: event.outcome,
    traces: JSON.stringify(storedTraceColumnWithSet(packTraces(event.traces, runs), set)),
    duplicate_of: event.duplicateOf ?? null,
    replay_of: event.replayOf ?? null,
    trace_context: event.traceContext === undefined ? null : JSON.stringify(event.traceContext),
    not_applicable_set: set?.id ?? null,
  };
}

export function eventFromRow(row: EventRow, resolve?: ResolveSet): StoredEvent {
  const slash = row.listener.indexOf("/");
  const event: StoredEvent = {
    id: row.id,
    listener: { namespace: row.listener.slice(0, slash), name: row.listener.slice(slash + 1) },
    provider: row.provider as Provider,
    deliveryId: row.delivery_id ?? undefined,
    receivedAt: new Date(row.received_at),
    method: row.method,
    url: row.url,
    headers: JSON.parse(row.headers) as Record<string, string[]>,
    body: parseStoredBody(
      row.body,
      row.body_not_kept === null ? null : JSON.parse(row.body_not_kept),
    ),
    status: row.status,
    outcome: row.outcome as EventOutcome,
    ...readStoredTraceColumn(JSON.parse(row.traces) as StoredTraceEntry[], resolve),
  };
  if (row.duplicate_of !== null) event.duplicateOf = row.duplicate_of;
  if (row.replay_of !== null) event.replayOf = row.replay_of;
  const traceContext = readCarrier(row.trace_context);
  if (traceContext !== undefined) event.traceContext = traceContext;
  return event;
}

/** A stored carrier; a column from before tracing (NULL) or one that does not parse: none. */
function readCarrier(column: string | null | undefined): StoredEvent["traceContext"] {
  if (column === null || column === undefined) return undefined;
  try {
    return parseTraceCarrier(JSON.parse(column));
  } catch {
    // Not JSON: the delivery spans start a trace of their own instead.
    return undefined;
  }
}

export function runToRow(run: RunRecord): Omit<RunRow, "fence"> {
  return {
    id: run.id,
    event_id: run.eventId,
    origin: run.origin.kind,
    // The columns predate run origins and are NOT NULL: a listener's run fills them, unread.
    trace_index: run.origin.kind === "trigger" ? run.origin.traceIndex : -1,
    trigger:
      run.origin.kind === "trigger"
        ? run.origin.trigger
        : run.origin.kind === "group"
          ? groupOriginColumn(run.origin)
          : "",
    namespace: run.namespace,
    service_account: run.serviceAccountName ?? null,
    state: run.state,
    attempts: run.attempts,
    first_attempt_at: run.firstAttemptAt?.getTime() ?? null,
    next_attempt_at: run.nextAttemptAt.getTime(),
    last_error: run.lastError ?? null,
    deliveries: JSON.stringify(run.deliveries),
    trace_context: run.traceContext === undefined ? null : JSON.stringify(run.traceContext),
    concurrency: run.concurrency === undefined ? null : JSON.stringify(run.concurrency),
    group_id: run.concurrency?.groupId ?? null,
    group_key: run.concurrency?.group ?? null,
    group_order: run.concurrency?.order ?? null,
    superseded_by: run.supersededBy ?? null,
  };
}

export function runFromRow(row: RunRow): RunRecord {
  const run: RunRecord = {
    id: row.id,
    eventId: row.event_id,
    origin: parseRunOrigin(row.origin, row.trace_index, row.trigger),
    namespace: row.namespace,
    serviceAccountName: row.service_account ?? undefined,
    state: row.state as RunState,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at === null ? undefined : new Date(row.first_attempt_at),
    nextAttemptAt: new Date(row.next_attempt_at),
    lastError: row.last_error ?? undefined,
    deliveries: parseStoredDeliveries(JSON.parse(row.deliveries)),
  };
  const traceContext = readCarrier(row.trace_context);
  if (traceContext !== undefined) run.traceContext = traceContext;
  // Absent from rows written before concurrency groups (undefined, not null).
  if (row.concurrency != null) run.concurrency = JSON.parse(row.concurrency) as RunConcurrency;
  if (row.superseded_by != null) run.supersededBy = row.superseded_by;
  return run;
}

/** A row as its claim returns it: the run, and the fence value this claim was given. */
export function claimedFromRow(row: RunRow): ClaimedRun {
  return { ...runFromRow(row), claimToken: row.fence };
}
