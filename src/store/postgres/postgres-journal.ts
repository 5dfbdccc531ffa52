import { storedTraceColumnWithSet } from "../read-stored-traces.js";
import { createSetRecord, notApplicableSet, type NotApplicableSet } from "../not-applicable-set.js";
import { hasPackedTraces, packTraces, unpackTraces } from "../stored-traces.js";
import pg from "pg";
import type { PoolClient } from "pg";
import { countsUntil, toEventCountBuckets } from "../event-counts.js";
import { decodeCursor, encodeCursor } from "../event-summary.js";
import { newRun } from "../new-run.js";
import {
  listenerKey,
  type DeliveryIdOwner,
  type EventCountBucket,
  type EventCountQuery,
  type EventFilter,
  type EventPage,
  type Journal,
  type ClaimedRun,
  type GroupRunRecordResult,
  type PlannedRun,
  type RecordResult,
  type RunRecord,
  type SaveResult,
  type StoredEvent,
} from "../types.js";
import {
  EVENT_COLUMNS,
  RUN_COLUMNS,
  SUMMARY_COLUMNS,
  claimedFromRow,
  eventFromRow,
  runFromRow,
  summaryFromRow,
  type ClaimedRunRow,
  type EventRow,
  type RunRow,
  type SummaryRow,
} from "./rows.js";
import { createWriteHealth } from "../write-health.js";
import { describePostgresFailure } from "./describe-postgres-failure.js";
import {
  LOCK_DELIVERY_ID,
  LOCK_GROUP_SUPERSEDE,
  migrate,
  quoteSchema,
  transaction,
} from "./schema.js";
import { supersededBy, supersedes, type GroupMember } from "../supersede.js";
import { notKeptColumn } from "../stored-body.js";
import { groupOriginColumn, groupOriginPrefix } from "../group-origin-column.js";

export interface PostgresJournalOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Where the tables live; created (and migrated) at start. Default `hookline`. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Connections of the delivery worker's claims and saves, apart from the pool. Default 4. */
  workerPoolSize?: number;
  /** Errors of idle pooled connections (the server went away); the next query reconnects. */
  onError?: (err: Error) => void;
  /** How often /ready may make a probe write (write-health.ts); default JOURNAL_PROBE_INTERVAL_MS. */
  probeIntervalMs?: number;
}

/** How often `record` starts over after a concurrent writer took its delivery id first. */
const RECORD_ATTEMPTS = 5;

/**
 * The journal in PostgreSQL, shared by several replicas: the delivery id is unique per listener in
 * the database, and workers claim runs with `FOR UPDATE SKIP LOCKED`.
 */
export async function createPostgresJournal(options: PostgresJournalOptions): Promise<Journal> {
  const schemaName = options.schema ?? "hookline";
  const s = quoteSchema(schemaName);
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  pool.on("error", (err) => options.onError?.(err));
  try {
    await migrate(pool, schemaName);
  } catch (err) {
    await pool.end();
    throw err;
  }
  // The delivery worker's claims and saves have connections of their own: in the shared pool they
  // queued behind every request's record() transaction, and under load delivery fell far behind
  // intake (docs/architecture.md, "The worker has slots, not rounds").
  const workerPool = new pg.Pool({
    connectionString: options.url,
    max: options.workerPoolSize ?? 4,
  });
  workerPool.on("error", (err) => options.onError?.(err));

  /**
   * The event holding a delivery id, and whether it blocks a redelivery: the rule of
   * event-summary.ts `blocksRedelivery` (it fired, and it has no runs or one that is not dead),
   * worked out in SQL so the holder's body is not read.
   */
  const holderQuery = (lock: boolean): string => `
    SELECT e.id,
      e.outcome = 'fired' AND (
        NOT EXISTS (SELECT 1 FROM ${s}.runs r WHERE r.event_id = e.id)
        OR EXISTS (SELECT 1 FROM ${s}.runs r WHERE r.event_id = e.id AND r.state <> 'dead')
      ) AS blocks
    FROM ${s}.events e
    WHERE e.listener = $1 AND e.delivery_id = $2
    ${lock ? "FOR UPDATE OF e" : ""}`;

  /** Parsed sets by id, and the ids known stored (marked after the commit that wrote them). */
  const sets = createSetRecord();
  const setOf = (event: StoredEvent): NotApplicableSet | undefined => {
    const list = event.notApplicable;
    return list === undefined || list.length === 0 ? undefined : notApplicableSet(list);
  };
  /** The set's row, once: an event of a set known stored writes nothing but its reference. */
  const insertSet = async (client: PoolClient, set: NotApplicableSet): Promise<void> => {
    if (sets.isStored(set.id)) return;
    await client.query(
      `INSERT INTO ${s}.not_applicable_sets (id, packed, count, trigger_names)
       VALUES ($1, $2, $3, $4::text[]) ON CONFLICT (id) DO NOTHING`,
      [set.id, set.packed, set.count, set.triggers],
    );
  };

  const insertEvent = async (
    client: PoolClient,
    event: StoredEvent,
    holds: boolean,
    runs: readonly PlannedRun[] = [],
  ): Promise<void> => {
    const set = setOf(event);
    if (set !== undefined) await insertSet(client, set);
    await client.query(
      `INSERT INTO ${s}.events (id, listener, listener_namespace, listener_name, provider,
         delivery_id, received_delivery_id, received_at, method, url, headers, body, status,
         outcome, traces, trigger_names, trigger_outcomes, duplicate_of, replay_of, body_not_kept,
         trace_context, not_applicable_set, not_applicable_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::json, $12, $13, $14, $15::json,
         $16::text[], $17::text[], $18, $19, $20::json, $21::json, $22, $23)`,
      [
        event.id,
        listenerKey(event.listener),
        event.listener.namespace,
        event.listener.name,
        event.provider,
        holds ? (event.deliveryId ?? null) : null,
        event.deliveryId ?? null,
        event.receivedAt,
        event.method,
        event.url,
        JSON.stringify(event.headers),
        event.body.kind === "kept" ? event.body.bytes : Buffer.alloc(0),
        event.status,
        event.outcome,
        JSON.stringify(storedTraceColumnWithSet(packTraces(event.traces, runs), set)),
        // The triggers that ran; the not-applicable ones are their set's trigger_names.
        event.traces.map((t) => t.trigger),
        event.traces.map((t) => t.outcome.kind),
        event.duplicateOf ?? null,
        event.replayOf ?? null,
        event.body.kind === "kept" ? null : JSON.stringify(notKeptColumn(event.body)),
        event.traceContext === undefined ? null : JSON.stringify(event.traceContext),
        set?.id ?? null,
        set?.count ?? 0,
      ],
    );
  };

  const insertRuns = async (
    client: PoolClient,
    event: StoredEvent,
    planned: readonly PlannedRun[],
  ): Promise<void> => {
    if (planned.length === 0) return;
    const values: unknown[] = [];
    const rows = planned.map((p) => {
      const run = newRun(p, event.receivedAt, event.traceContext);
      const at = values.length;
      values.push(
        run.id,
        run.eventId,
        run.origin.kind,
        run.origin.kind === "trigger" ? run.origin.traceIndex : null,
        run.origin.kind === "trigger"
          ? run.origin.trigger
          : run.origin.kind === "group"
            ? groupOriginColumn(run.origin)
            : null,
        run.namespace,
        run.serviceAccountName ?? null,
        run.state,
        run.attempts,
        run.nextAttemptAt,
        JSON.stringify(run.deliveries),
        run.traceContext === undefined ? null : JSON.stringify(run.traceContext),
        run.concurrency === undefined ? null : JSON.stringify(run.concurrency),
        run.concurrency?.groupId ?? null,
        run.concurrency?.group ?? null,
        run.concurrency?.order ?? null,
      );
      const n = (i: number): string => `$${at + i}`;
      return `(${n(1)}, ${n(2)}, ${n(3)}, ${n(4)}, ${n(5)}, ${n(6)}, ${n(7)}, ${n(8)}, ${n(9)}, ${n(10)}, ${n(11)}::json, ${n(12)}::json, ${n(13)}::json, ${n(14)}, ${n(15)}, ${n(16)})`;
    });
    await client.query(
      `INSERT INTO ${s}.runs (id, event_id, origin, trace_index, trigger, namespace, service_account,
         state, attempts, next_attempt_at, deliveries, trace_context, concurrency, group_id,
         group_key, group_order)
       VALUES ${rows.join(", ")}`,
      values,
    );
  };

  const recordOnce = (event: StoredEvent, planned: readonly PlannedRun[]) =>
    transaction(pool, async (client): Promise<RecordResult> => {
      if (event.deliveryId !== undefined) {
        const key = listenerKey(event.listener);
        // Writers of one delivery id queue here, so the second one sees the first one's event
        // instead of running into the unique index (which stays the guard of last resort).
        await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [
          LOCK_DELIVERY_ID,
          `${schemaName}\n${key}\n${event.deliveryId}`,
        ]);
        const { rows } = await client.query<{ id: string; blocks: boolean }>(holderQuery(true), [
          key,
          event.deliveryId,
        ]);
        const holder = rows[0];
        if (holder?.blocks === true) {
          await insertEvent(
            client,
            { ...event, outcome: "duplicate", status: 200, duplicateOf: holder.id },
            false,
          );
          return { kind: "duplicate", originalEventId: holder.id };
        }
        if (holder !== undefined)
          await client.query(`UPDATE ${s}.events SET delivery_id = NULL WHERE id = $1`, [
            holder.id,
          ]);
      }
      await insertEvent(client, event, true, planned);
      const superseded = await supersedeInGroups(client, event, planned);
      return superseded.length === 0 ? { kind: "stored" } : { kind: "stored", superseded };
    });

  /**
   * Inserts the runs, then applies supersede.ts's rule to each that supersedes. Records of one
   * group, on any replica, take the group's transaction-level advisory lock first (in group id
   * order, so two records of the same groups cannot deadlock), and the older runs are read
   * FOR UPDATE: a worker's claim either committed before (its lease is live: the run is left
   * alone) or waits, and then finds the run superseded.
   */
  const supersedeInGroups = async (
    client: PoolClient,
    event: StoredEvent,
    planned: readonly PlannedRun[],
  ): Promise<string[]> => {
    const grouped = planned.filter((p) => supersedes(p.concurrency));
    const groupIds = [...new Set(grouped.map((p) => p.concurrency?.groupId ?? ""))].sort();
    for (const groupId of groupIds)
      await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [
        LOCK_GROUP_SUPERSEDE,
        `${schemaName}\n${groupId}`,
      ]);
    await insertRuns(client, event, planned);
    const superseded: string[] = [];
    const mark = async (ids: string[], by: string): Promise<void> => {
      if (ids.length === 0) return;
      const { rows } = await client.query<{ id: string }>(
        `UPDATE ${s}.runs SET state = 'superseded', superseded_by = $2, locked_until = NULL,
           fence = fence + 1
         WHERE id = ANY($1::text[]) AND state = 'pending' RETURNING id`,
        [ids, by],
      );
      superseded.push(...rows.map((r) => r.id));
    };
    for (const p of grouped) {
      const c = p.concurrency;
      if (c === undefined) continue;
      const newest = await client.query<{ event_id: string }>(
        `SELECT event_id FROM ${s}.runs
         WHERE group_id = $1 AND group_order > $2 AND state <> 'dead' AND id <> $3
         ORDER BY group_order DESC LIMIT 1`,
        [c.groupId, c.order, p.id],
      );
      const newer = newest.rows[0]?.event_id;
      if (newer !== undefined) {
        await mark([p.id], newer);
        continue;
      }
      const now = new Date();
      const { rows } = await client.query<RunRow & { locked_until: Date | null }>(
        `SELECT ${RUN_COLUMNS}, locked_until FROM ${s}.runs
         WHERE group_id = $1 AND state = 'pending' AND group_order < $2
           AND (locked_until IS NULL OR locked_until <= $3)
         ORDER BY id
         FOR UPDATE`,
        [c.groupId, c.order, now],
      );
      const members = rows.flatMap((row): GroupMember[] => {
        const run = runFromRow(row);
        return run.concurrency === undefined
          ? []
          : [
              {
                id: run.id,
                eventId: run.eventId,
                state: run.state,
                order: run.concurrency.order,
                lockedUntil: row.locked_until?.getTime() ?? 0,
                deliveries: run.deliveries,
                concurrency: run.concurrency,
              },
            ];
      });
      await mark(
        supersededBy(p, members, now.getTime()).map((m) => m.id),
        event.id,
      );
    }
    return superseded;
  };

  /**
   * Deletes the sets no event names. An event of another replica that names one as it goes makes
   * the delete fail on the foreign key (or wait for its commit): left for the next prune.
   */
  const dropUnusedSets = async (): Promise<void> => {
    try {
      const result = await pool.query(
        `DELETE FROM ${s}.not_applicable_sets n
         WHERE NOT EXISTS (SELECT 1 FROM ${s}.events e WHERE e.not_applicable_set = n.id)`,
      );
      if ((result.rowCount ?? 0) > 0) sets.forget();
    } catch (err) {
      if ((err as { code?: unknown }).code !== "23503") throw err;
      sets.forget();
    }
  };

  const ping = async (): Promise<boolean> => {
    try {
      await pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  };
  const health = createWriteHealth({
    async probe() {
      await pool.query(
        `INSERT INTO ${s}.health_probe (id, written_at) VALUES (1, now())
         ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at`,
      );
    },
    ping,
    describeFailure: describePostgresFailure,
    ...(options.probeIntervalMs === undefined ? {} : { probeIntervalMs: options.probeIntervalMs }),
  });

  const runsWhere = async (where: string, params: unknown[]): Promise<RunRecord[]> => {
    const { rows } = await pool.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM ${s}.runs WHERE ${where}`,
      params,
    );
    return rows.map(runFromRow);
  };

  return {
    kind: "postgres",

    async findDeliveryIdOwner(listener, deliveryId): Promise<DeliveryIdOwner | undefined> {
      const { rows } = await pool.query<{ id: string; blocks: boolean }>(holderQuery(false), [
        listener,
        deliveryId,
      ]);
      const row = rows[0];
      return row === undefined ? undefined : { eventId: row.id, blocksRedelivery: row.blocks };
    },

    async record(event, planned): Promise<RecordResult> {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await recordOnce(event, planned);
          health.succeeded();
          const set = setOf(event);
          if (set !== undefined) sets.stored(set.id);
          return result;
        } catch (err) {
          // A set known stored that another replica's prune deleted since: written again.
          const gone = isSetGone(err);
          if (gone) sets.forget();
          if (attempt >= RECORD_ATTEMPTS || (!gone && !isRetryable(err))) {
            health.failed(err);
            throw err;
          }
          await sleep(attempt * 5 + Math.random() * 10);
        }
      }
    },

    async recordGroupRun(planned, now): Promise<GroupRunRecordResult> {
      if (planned.origin.kind !== "group")
        throw new Error("recordGroupRun takes runs of origin group");
      const run = newRun(planned, now);
      // One statement: the event's trace context is the run's, and a run id already journaled
      // (another replica decided the same start) inserts nothing.
      const inserted = await pool.query(
        `INSERT INTO ${s}.runs (id, event_id, origin, trace_index, trigger, namespace,
           service_account, state, attempts, next_attempt_at, deliveries, trace_context)
         SELECT $1, e.id, 'group', NULL, $3, $4, $5, 'pending', 0, $6, $7::json, e.trace_context
           FROM ${s}.events e WHERE e.id = $2
         ON CONFLICT (id) DO NOTHING`,
        [
          run.id,
          run.eventId,
          groupOriginColumn(planned.origin),
          run.namespace,
          run.serviceAccountName ?? null,
          run.nextAttemptAt,
          JSON.stringify(run.deliveries),
        ],
      );
      if (inserted.rowCount === 1) return "recorded";
      const existing = await pool.query(`SELECT 1 FROM ${s}.runs WHERE id = $1`, [run.id]);
      return existing.rowCount === 0 ? "no-event" : "exists";
    },

    async pendingStartsOfGroup(groupId): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${s}.runs
          WHERE state = 'pending' AND origin = 'group' AND starts_with(trigger, $1)`,
        [groupOriginPrefix(groupId)],
      );
      return Number(rows[0]?.n ?? 0);
    },

    async claimDueRuns(now, limit, leaseMs): Promise<ClaimedRun[]> {
      const { rows } = await workerPool.query<ClaimedRunRow>(
        `UPDATE ${s}.runs SET locked_until = $2, fence = fence + 1
         WHERE id IN (
           SELECT id FROM ${s}.runs
           WHERE state = 'pending' AND next_attempt_at <= $1
             AND (locked_until IS NULL OR locked_until <= $1)
           ORDER BY next_attempt_at, id
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
         RETURNING ${RUN_COLUMNS}, fence`,
        [now, new Date(now.getTime() + leaseMs), limit],
      );
      return rows
        .map(claimedFromRow)
        .sort(
          (a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || (a.id < b.id ? -1 : 1),
        );
    },

    async claimDueRunsOfEvent(eventId, now, leaseMs): Promise<ClaimedRun[]> {
      const { rows } = await workerPool.query<ClaimedRunRow>(
        `UPDATE ${s}.runs SET locked_until = $3, fence = fence + 1
         WHERE id IN (
           SELECT id FROM ${s}.runs
           WHERE event_id = $1 AND state = 'pending' AND next_attempt_at <= $2
             AND (locked_until IS NULL OR locked_until <= $2)
           FOR UPDATE SKIP LOCKED)
         RETURNING ${RUN_COLUMNS}, fence`,
        [eventId, now, new Date(now.getTime() + leaseMs)],
      );
      return rows
        .map(claimedFromRow)
        .sort(
          (a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || (a.id < b.id ? -1 : 1),
        );
    },

    async saveRun(run): Promise<SaveResult> {
      // One statement: the check and the write cannot be split by another worker's claim.
      const result = await workerPool.query(
        `UPDATE ${s}.runs SET state = $2, attempts = $3, first_attempt_at = $4,
           next_attempt_at = $5, last_error = $6::json, deliveries = $7::json, locked_until = NULL,
           fence = fence + 1
         WHERE id = $1 AND fence = $8`,
        [
          run.id,
          run.state,
          run.attempts,
          run.firstAttemptAt ?? null,
          run.nextAttemptAt,
          run.lastError === undefined ? null : JSON.stringify(run.lastError),
          JSON.stringify(run.deliveries),
          run.claimToken,
        ],
      );
      return result.rowCount === 1 ? { kind: "saved" } : { kind: "claim-lost" };
    },

    async getEvent(id): Promise<StoredEvent | undefined> {
      const { rows } = await pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${s}.events WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const setId = row.not_applicable_set;
      let packed: string | undefined;
      if (setId !== null && !sets.isParsed(setId)) {
        const found = await pool.query<{ packed: string }>(
          `SELECT packed FROM ${s}.not_applicable_sets WHERE id = $1`,
          [setId],
        );
        packed = found.rows[0]?.packed;
      }
      const event = eventFromRow(row, (set) => sets.read(set, () => packed));
      if (!hasPackedTraces(event.traces)) return event;
      const runs = await runsWhere("event_id = $1 ORDER BY trace_index, id", [id]);
      return { ...event, traces: unpackTraces(event.traces, runs) };
    },

    getRuns(eventId): Promise<RunRecord[]> {
      return runsWhere("event_id = $1 ORDER BY trace_index, id", [eventId]);
    },

    async listEvents(filter: EventFilter): Promise<EventPage> {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown): string => {
        params.push(value);
        return `$${params.length}`;
      };
      if (filter.listener !== undefined)
        where.push(`listener = ${param(listenerKey(filter.listener))}`);
      if (filter.outcome !== undefined) where.push(`outcome = ${param(filter.outcome)}`);
      if (filter.deliveryId !== undefined)
        where.push(`received_delivery_id = ${param(filter.deliveryId)}`);
      if (filter.trigger !== undefined) {
        // The triggers that ran (every trigger in rows from before sets), or the event's set.
        const trigger = param(filter.trigger);
        where.push(
          `(trigger_names @> ARRAY[${trigger}::text] OR not_applicable_set IN
             (SELECT id FROM ${s}.not_applicable_sets WHERE trigger_names @> ARRAY[${trigger}::text]))`,
        );
      }
      if (filter.group !== undefined) {
        const group = param(filter.group);
        where.push(
          `EXISTS (SELECT 1 FROM ${s}.runs r WHERE r.event_id = events.id AND (r.group_id = ${group} OR r.group_key = ${group}))`,
        );
      }
      if (filter.since !== undefined) where.push(`received_at >= ${param(filter.since)}`);
      if (filter.until !== undefined) where.push(`received_at < ${param(filter.until)}`);
      const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      if (after !== undefined)
        where.push(`(received_at, id) < (${param(new Date(after.at))}, ${param(after.id)})`);
      const limit = Math.max(0, Math.floor(filter.limit));
      const { rows } = await pool.query<SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM ${s}.events
         ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
         ORDER BY received_at DESC, id DESC
         LIMIT ${param(limit + 1)}`,
        params,
      );
      const page = rows.slice(0, limit).map(summaryFromRow);
      const last = page[page.length - 1];
      return {
        events: page,
        next: rows.length > limit && last !== undefined ? encodeCursor(last) : undefined,
      };
    },

    async countEvents(query: EventCountQuery): Promise<EventCountBucket[]> {
      const params: unknown[] = [query.since, query.bucketMs, countsUntil(query)];
      if (query.listener !== undefined) params.push(listenerKey(query.listener));
      const { rows } = await pool.query<{ bucket: number; outcome: string; n: number }>(
        `SELECT floor(extract(epoch FROM received_at - $1::timestamptz) * 1000 / $2)::integer AS bucket,
                outcome, count(*)::integer AS n
         FROM ${s}.events
         WHERE received_at >= $1 AND received_at < $3${query.listener === undefined ? "" : " AND listener = $4"}
         GROUP BY 1, 2`,
        params,
      );
      return toEventCountBuckets(query, rows);
    },

    async pendingStats(): Promise<{ pending: number; oldestDueAt: Date | undefined }> {
      const { rows } = await pool.query<{ pending: number; oldest: Date | null }>(
        `SELECT count(*)::integer AS pending, min(next_attempt_at) AS oldest
         FROM ${s}.runs WHERE state = 'pending'`,
      );
      const row = rows[0];
      return { pending: row?.pending ?? 0, oldestDueAt: row?.oldest ?? undefined };
    },

    async prune(before): Promise<number> {
      const result = await pool.query(
        `DELETE FROM ${s}.events e
         WHERE e.received_at < $1
           AND NOT EXISTS (SELECT 1 FROM ${s}.runs r WHERE r.event_id = e.id AND r.state = 'pending')`,
        [before],
      );
      if ((result.rowCount ?? 0) > 0) await dropUnusedSets();
      return result.rowCount ?? 0;
    },

    async storedBytes() {
      const result = await pool.query<{
        events: string;
        runs: string;
        sets: string;
        filtered: string;
      }>(
        `SELECT
           (SELECT COALESCE(SUM(octet_length(body) + octet_length(headers::text) + octet_length(url)
                                + octet_length(traces::text)), 0) FROM ${s}.events) AS events,
           (SELECT COALESCE(SUM(octet_length(deliveries::text)), 0) FROM ${s}.runs) AS runs,
           (SELECT COALESCE(SUM(octet_length(packed)), 0) FROM ${s}.not_applicable_sets) AS sets,
           (SELECT COALESCE(SUM(octet_length(body)), 0) FROM ${s}.events
             WHERE outcome = 'filtered' AND body_not_kept IS NULL) AS filtered`,
      );
      const row = result.rows[0];
      return {
        total: Number(row?.events ?? 0) + Number(row?.runs ?? 0) + Number(row?.sets ?? 0),
        filteredBodies: Number(row?.filtered ?? 0),
      };
    },

    async evictFiltered(bytes) {
      if (bytes <= 0) return 0;
      // Oldest first, up to the first event whose body makes the freed bytes reach the target.
      const result = await pool.query(
        `DELETE FROM ${s}.events WHERE id IN (
           SELECT id FROM (
             SELECT e.id, octet_length(e.body) AS n,
                    SUM(octet_length(e.body)) OVER (ORDER BY e.received_at, e.id) AS freed
             FROM ${s}.events e
             WHERE e.outcome = 'filtered' AND e.body_not_kept IS NULL
               AND NOT EXISTS (SELECT 1 FROM ${s}.runs r WHERE r.event_id = e.id AND r.state = 'pending')
           ) v WHERE v.freed - v.n < $1)`,
        [bytes],
      );
      if ((result.rowCount ?? 0) > 0) await dropUnusedSets();
      return result.rowCount ?? 0;
    },

    ping,
    health: () => health.check(),

    close: async () => {
      await Promise.all([pool.end(), workerPool.end()]);
    },
  };
}

/** An event named a set that is no longer there (another replica pruned it after we wrote it). */
function isSetGone(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, constraint } = err as Error & { code?: string; constraint?: string };
  return code === "23503" && constraint === "events_not_applicable_set_fkey";
}

/**
 * A concurrent writer got the delivery id first (the unique index), or the server gave up on a
 * transaction to break a deadlock or a serialization conflict: starting over can succeed.
 */
function isRetryable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, constraint } = err as Error & { code?: string; constraint?: string };
  if (code === "23505") return constraint === "events_delivery_id_key";
  return code === "40001" || code === "40P01";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
