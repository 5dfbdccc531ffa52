import { hasPackedTraces, unpackTraces } from "../stored-traces.js";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { countsUntil, toEventCountBuckets } from "../event-counts.js";
import { blocksRedelivery, decodeCursor, encodeCursor, summarize } from "../event-summary.js";
import { newRun } from "../new-run.js";
import {
  markSuperseded,
  supersededBy,
  supersededOnArrival,
  supersedes,
  type GroupMember,
} from "../supersede.js";
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
  type SaveResult,
  type StoredEvent,
} from "../types.js";
import { createWriteHealth } from "../write-health.js";
import { assertNever } from "../../errors/assert-never.js";
import { describeSqliteFailure } from "./describe-sqlite-failure.js";
import { migrate } from "./schema.js";
import { createSetRecord, notApplicableSet, type NotApplicableSet } from "../not-applicable-set.js";
import { groupOriginPrefix } from "../group-origin-column.js";
import {
  claimedFromRow,
  eventFromRow,
  eventToRow,
  runFromRow,
  runToRow,
  type EventRow,
  type RunRow,
} from "./rows.js";

export interface SqliteJournalOptions {
  /** The database file (created with its directory); `:memory:` for tests. */
  path: string;
  /**
   * How long a commit waits for others to join it. By default (0) it waits for the rest of the
   * current turn of the event loop: every request that reached the journal in that turn shares
   * one transaction and one fsync, and a lone request does not wait at all.
   */
  groupCommitMs?: number;
  /** How long a write waits for another writer's lock. Default 5000. */
  busyTimeoutMs?: number;
  /** How often /ready may make a probe write (write-health.ts); default JOURNAL_PROBE_INTERVAL_MS. */
  probeIntervalMs?: number;
  /**
   * Void every delivery claim in the file when it opens. Only for the process that holds the
   * file's lock (`serve`, journal-lock.ts): whoever held the lock before is gone, so the claims
   * it left would only hold its runs back until their leases lapse. Others opening the file
   * (`replay`, tests) share it with a server that may be running and leave its claims alone.
   */
  releaseClaims?: boolean;
}

/** An event's row written whole. */
const INSERT_EVENT = `INSERT INTO events (id, listener, holder_delivery_id, delivery_id, provider, received_at, method, url, headers, body, body_not_kept, status, outcome, traces, duplicate_of, replay_of, trace_context, not_applicable_set)
       VALUES (@id, @listener, @holder_delivery_id, @delivery_id, @provider, @received_at, @method, @url, @headers, @body, @body_not_kept, @status, @outcome, @traces, @duplicate_of, @replay_of, @trace_context, @not_applicable_set)`;

/** A run's row as a claim returns it, with its place in the due index. */
type ClaimRow = RunRow & { claim_order: number };

/** A write waiting for the commit of its turn: an event's record, or a delivery worker's save. */
type Pending =
  | {
      kind: "record";
      event: StoredEvent;
      runs: readonly PlannedRun[];
      resolve: (r: RecordResult) => void;
      reject: (e: unknown) => void;
    }
  | {
      kind: "save";
      /** The run's row as it was when saveRun was called, with its claim's token. */
      row: ReturnType<typeof runToRow> & { fence: number };
      resolve: (r: SaveResult) => void;
      reject: (e: unknown) => void;
    };

/**
 * The embedded journal: SQLite in WAL mode with `synchronous=FULL`, so a committed event survives
 * a crash of the process or the machine. Records and the delivery worker's saves are grouped into
 * one transaction per commit window; each record keeps its own savepoint, so one failing record
 * fails only its own request.
 */
export function createSqliteJournal(options: SqliteJournalOptions): Journal {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  // SQLite's own default page cache (2 MiB) rather than better-sqlite3's 16 MiB: under load the
  // cache filled to ~11 MB of the process's malloc heap (heaptrack), 10–13 MB of the RSS after the
  // bench's 1,000-trigger load, for pages the OS file cache holds anyway.
  db.pragma("cache_size = -2000");
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  migrate(db);
  if (options.releaseClaims === true) {
    // The fence moves on too: a claim voided here can never be saved under.
    db.prepare("UPDATE runs SET locked_until = 0, fence = fence + 1 WHERE locked_until > 0").run();
  }

  const q = {
    holder: db.prepare<[string, string], { id: string; outcome: string }>(
      "SELECT id, outcome FROM events WHERE listener = ? AND holder_delivery_id = ?",
    ),
    runStates: db.prepare<[string], { state: string }>("SELECT state FROM runs WHERE event_id = ?"),
    release: db.prepare<[string]>("UPDATE events SET holder_delivery_id = NULL WHERE id = ?"),
    insertEvent: db.prepare(INSERT_EVENT),
    // The same, unless another event holds the delivery id: then nothing is written.
    insertHolder: db.prepare(
      `${INSERT_EVENT}
       ON CONFLICT (listener, holder_delivery_id) WHERE holder_delivery_id IS NOT NULL DO NOTHING`,
    ),
    // Not-applicable sets: written once (the first event of a set), read by id, and deleted when
    // no event names them any more (prune, evictFiltered).
    insertSet: db.prepare<[string, string, number]>(
      "INSERT OR IGNORE INTO not_applicable_sets (id, packed, count) VALUES (?, ?, ?)",
    ),
    insertMember: db.prepare<[string, string]>(
      "INSERT OR IGNORE INTO not_applicable_members (trigger, set_id) VALUES (?, ?)",
    ),
    set: db.prepare<[string], { packed: string }>(
      "SELECT packed FROM not_applicable_sets WHERE id = ?",
    ),
    unusedSets: db.prepare(
      `DELETE FROM not_applicable_sets WHERE NOT EXISTS
         (SELECT 1 FROM events WHERE events.not_applicable_set = not_applicable_sets.id)`,
    ),
    setBytes: db.prepare<[], { n: number }>(
      "SELECT COALESCE(SUM(length(packed)), 0) AS n FROM not_applicable_sets",
    ),
    insertRun: db.prepare(
      `INSERT INTO runs (id, event_id, origin, trace_index, trigger, namespace, service_account, state, attempts, first_attempt_at, next_attempt_at, last_error, locked_until, deliveries, trace_context, concurrency, group_id, group_key, group_order, superseded_by)
       VALUES (@id, @event_id, @origin, @trace_index, @trigger, @namespace, @service_account, @state, @attempts, @first_attempt_at, @next_attempt_at, @last_error, 0, @deliveries, @trace_context, @concurrency, @group_id, @group_key, @group_order, @superseded_by)`,
    ),
    // Supersede (supersede.ts): the group's older pending runs that no live claim holds, and the
    // newest run of the group newer than one recorded out of order.
    groupOlderPending: db.prepare<[string, string, number], RunRow & { locked_until: number }>(
      `SELECT * FROM runs WHERE group_id = ? AND state = 'pending' AND group_order < ? AND locked_until <= ?`,
    ),
    groupNewest: db.prepare<[string, string], RunRow & { locked_until: number }>(
      `SELECT * FROM runs WHERE group_id = ? AND group_order > ? AND state <> 'dead' ORDER BY group_order DESC LIMIT 1`,
    ),
    supersede: db.prepare<[string, string]>(
      `UPDATE runs SET state = 'superseded', superseded_by = ?, locked_until = 0, fence = fence + 1 WHERE id = ? AND state = 'pending'`,
    ),
    updateRun: db.prepare(
      `UPDATE runs SET state = @state, attempts = @attempts, first_attempt_at = @first_attempt_at, next_attempt_at = @next_attempt_at,
       last_error = @last_error, deliveries = @deliveries, locked_until = 0, fence = fence + 1
       WHERE id = @id AND fence = @fence`,
    ),
    // The claim of an event's runs; the claim of any due runs is claimStatement's (its limit).
    claimOfEvent: db.prepare<[number, string, number, number], ClaimRow>(
      `UPDATE runs SET locked_until = ?, fence = fence + 1 WHERE id IN (
         SELECT id FROM runs WHERE event_id = ? AND state = 'pending' AND next_attempt_at <= ? AND locked_until <= ?)
       RETURNING *, rowid AS claim_order`,
    ),
    // Prepared once: db.pragma() prepares its statement at every call.
    syncNormal: db.prepare("PRAGMA synchronous = NORMAL"),
    syncFull: db.prepare("PRAGMA synchronous = FULL"),
    event: db.prepare<[string], EventRow>("SELECT * FROM events WHERE id = ?"),
    runs: db.prepare<[string], RunRow>(
      "SELECT * FROM runs WHERE event_id = ? ORDER BY origin <> 'trigger', origin = 'group', trace_index",
    ),
    runExists: db.prepare<[string], { id: string }>("SELECT id FROM runs WHERE id = ?"),
    eventTraceContext: db.prepare<[string], { trace_context: string | null }>(
      "SELECT trace_context FROM events WHERE id = ?",
    ),
    pendingStartsOfGroup: db.prepare<[string, string], { n: number }>(
      `SELECT COUNT(*) AS n FROM runs WHERE state = 'pending' AND origin = 'group'
         AND substr(trigger, 1, length(?)) = ?`,
    ),
    pending: db.prepare<[], { n: number; oldest: number | null }>(
      "SELECT COUNT(*) AS n, MIN(next_attempt_at) AS oldest FROM runs WHERE state = 'pending'",
    ),
    probe: db.prepare<[number]>(
      "INSERT INTO health_probe (id, written_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at",
    ),
    eventBytes: db.prepare<[], { n: number }>(
      "SELECT COALESCE(SUM(length(body) + length(headers) + length(url) + length(traces)), 0) AS n FROM events",
    ),
    runBytes: db.prepare<[], { n: number }>(
      "SELECT COALESCE(SUM(length(deliveries)), 0) AS n FROM runs",
    ),
    filteredBytes: db.prepare<[], { n: number }>(
      "SELECT COALESCE(SUM(length(body)), 0) AS n FROM events WHERE outcome = 'filtered' AND body_not_kept IS NULL",
    ),
    // Oldest first, up to the first event whose body makes the freed bytes reach the target.
    evictFiltered: db.prepare<[number]>(
      `DELETE FROM events WHERE id IN (
         SELECT id FROM (
           SELECT id, length(body) AS n,
                  SUM(length(body)) OVER (ORDER BY received_at, id) AS freed
           FROM events e
           WHERE outcome = 'filtered' AND body_not_kept IS NULL
             AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.event_id = e.id AND runs.state = 'pending'))
         WHERE freed - n < ?)`,
    ),
    prune: db.prepare<[number]>(
      `DELETE FROM events WHERE received_at < ? AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.event_id = events.id AND runs.state = 'pending')`,
    ),
  };

  /** The event holding a delivery id on a listener, and whether it blocks a redelivery. */
  const ownerOf = (listener: string, deliveryId: string): DeliveryIdOwner | undefined => {
    const holder = q.holder.get(listener, deliveryId);
    if (holder === undefined) return undefined;
    const states = q.runStates.all(holder.id).map((r) => r.state);
    return { eventId: holder.id, blocksRedelivery: blocksRedelivery(holder.outcome, states) };
  };

  const sets = createSetRecord();
  const resolveSet = (id: string) => sets.read(id, (key) => q.set.get(key)?.packed);
  /** Writes the set unless it is known to be stored; the ids written in this transaction. */
  const writeSet = (set: NotApplicableSet, written: string[]): void => {
    if (sets.isStored(set.id)) return;
    if (q.insertSet.run(set.id, set.packed, set.count).changes === 1)
      for (const trigger of set.triggers) q.insertMember.run(trigger, set.id);
    written.push(set.id);
  };
  const recordOne = db.transaction(
    (p: Extract<Pending, { kind: "record" }>, written: string[]): RecordResult => {
      const { event } = p;
      const list = event.notApplicable;
      const set = list === undefined || list.length === 0 ? undefined : notApplicableSet(list);
      if (set !== undefined) writeSet(set, written);
      const row = eventToRow(event, event.deliveryId, p.runs, set);
      // The delivery id's holder is looked for only when the insert finds one (the unique index
      // events_holder checks for it anyway): one query less for every event with a new id.
      if (event.deliveryId !== undefined && q.insertHolder.run(row).changes === 0) {
        const holder = ownerOf(listenerKey(event.listener), event.deliveryId);
        if (holder?.blocksRedelivery === true) {
          q.insertEvent.run(
            eventToRow(
              { ...event, outcome: "duplicate", status: 200, duplicateOf: holder.eventId },
              undefined,
              [],
              set,
            ),
          );
          return { kind: "duplicate", originalEventId: holder.eventId };
        }
        if (holder !== undefined) q.release.run(holder.eventId);
        q.insertEvent.run(row);
      } else if (event.deliveryId === undefined) q.insertEvent.run(row);
      const superseded: string[] = [];
      for (const planned of p.runs) {
        const run = newRun(planned, event.receivedAt, event.traceContext);
        const c = planned.concurrency;
        if (c === undefined || !supersedes(c)) {
          q.insertRun.run(runToRow(run));
          continue;
        }
        // One writer per file, and this is its transaction: no other record sees the group between.
        const newer = supersededOnArrival(
          planned,
          q.groupNewest.all(c.groupId, c.order).map(member),
        );
        if (newer !== undefined) {
          q.insertRun.run(runToRow(markSuperseded(run, newer)));
          superseded.push(run.id);
          continue;
        }
        const older = q.groupOlderPending.all(c.groupId, c.order, Date.now()).map(member);
        for (const m of supersededBy(planned, older, Date.now()))
          if (q.supersede.run(event.id, m.id).changes === 1) superseded.push(m.id);
        q.insertRun.run(runToRow(run));
      }
      return superseded.length === 0 ? { kind: "stored" } : { kind: "stored", superseded };
    },
  );

  /** Checked and written in one transaction: a second record of the same run id is a no-op. */
  const recordGroupRun = db.transaction((planned: PlannedRun, now: Date): GroupRunRecordResult => {
    if (q.runExists.get(planned.id) !== undefined) return "exists";
    const event = q.eventTraceContext.get(planned.eventId);
    if (event === undefined) return "no-event";
    const run = newRun(planned, now);
    q.insertRun.run({ ...runToRow(run), trace_context: event.trace_context });
    return "recorded";
  });

  const member = (row: RunRow & { locked_until: number }): GroupMember => {
    const run = runFromRow(row);
    return {
      id: run.id,
      eventId: run.eventId,
      state: run.state,
      order: row.group_order ?? "",
      lockedUntil: row.locked_until,
      deliveries: run.deliveries,
      // The rows were found by group_id: they have one.
      concurrency: run.concurrency as NonNullable<typeof run.concurrency>,
    };
  };

  /** Deletes the sets no event names (their members go with them), and forgets them. */
  const dropUnusedSets = (): void => {
    if (q.unusedSets.run().changes > 0) sets.forget();
  };

  const ping = (): boolean => {
    try {
      db.prepare("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  };
  const health = createWriteHealth({
    probe() {
      // better-sqlite3 waits for a lock on the thread: the probe does not wait at all, so that
      // /ready never holds up the event loop behind another writer.
      db.pragma("busy_timeout = 0");
      try {
        q.probe.run(Date.now());
      } finally {
        db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      }
      return Promise.resolve();
    },
    ping: () => Promise.resolve(ping()),
    describeFailure: describeSqliteFailure,
    ...(options.probeIntervalMs === undefined ? {} : { probeIntervalMs: options.probeIntervalMs }),
  });

  /** A save under its claim: written only while the run's fence still equals the claim's token. */
  const saveOne = (row: Extract<Pending, { kind: "save" }>["row"]): SaveResult =>
    q.updateRun.run(row).changes === 1 ? { kind: "saved" } : { kind: "claim-lost" };

  // Records and saves of one turn of the event loop share one transaction, and so one fsync: the
  // delivery worker's saves of a round go in one commit (they were a commit each), beside the
  // records of the requests answered in the same turn.
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const enqueue = (p: Pending): void => {
    queue.push(p);
    if (timer === undefined) {
      const windowMs = options.groupCommitMs ?? 0;
      timer = windowMs > 0 ? setTimeout(flush, windowMs) : setImmediate(flush);
    }
  };
  /** What became of each write of a batch, settled once its commit is done. */
  type Outcome =
    | { kind: "record"; p: Extract<Pending, { kind: "record" }>; result: RecordResult }
    | { kind: "save"; p: Extract<Pending, { kind: "save" }>; result: SaveResult }
    | { kind: "failed"; p: Pending; error: unknown };
  /**
   * The batch's writes in one transaction, each record in a savepoint of its own (recordOne);
   * `written`: the sets written by the records that succeeded. Made once: a transaction function
   * per flush was a closure and a wrapper per commit.
   */
  const commitBatch = db.transaction(
    (batch: readonly Pending[], outcomes: Outcome[], written: string[]): void => {
      for (const p of batch) {
        const mine: string[] = [];
        try {
          if (p.kind === "record") {
            let result: RecordResult;
            try {
              result = recordOne(p, mine);
            } catch (error) {
              if (!isForeignKeyFailure(error)) throw error;
              // A set known stored but deleted since (another process pruned the file): again.
              sets.forget();
              result = recordOne(p, ((mine.length = 0), mine));
            }
            written.push(...mine);
            outcomes.push({ kind: "record", p, result });
          } else {
            outcomes.push({ kind: "save", p, result: saveOne(p.row) });
          }
        } catch (error) {
          outcomes.push({ kind: "failed", p, error });
        }
      }
    },
  );
  const flush = (): void => {
    timer = undefined;
    const batch = queue;
    queue = [];
    const outcomes: Outcome[] = [];
    const written: string[] = [];
    try {
      commitBatch(batch, outcomes, written);
      for (const id of written) sets.stored(id);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the batch is stored.
      if (batch.some((p) => p.kind === "record")) health.failed(error);
      for (const p of batch) p.reject(error);
      return;
    }
    let stored = false;
    for (const o of outcomes) {
      switch (o.kind) {
        case "record":
          stored = true;
          o.p.resolve(o.result);
          break;
        case "save":
          o.p.resolve(o.result);
          break;
        case "failed":
          // A save's failure is the worker's to report (it was never a health signal).
          if (o.p.kind === "record") health.failed(o.error);
          o.p.reject(o.error);
          break;
        default:
          assertNever(o);
      }
    }
    // One record stored is a write that worked, whatever happened to the others of its batch.
    if (stored) health.succeeded();
  };

  /**
   * A claim is one statement: the due runs, oldest first, leased and fenced as they are picked
   * (`rowid` only to give them back in the due index's order, which RETURNING does not keep). Its
   * limit is written into the text, one statement per limit: a bound LIMIT makes SQLite compile
   * the statement again at every run (about 70 µs of this one; the claim of one run was ~110 µs).
   */
  const claimStatements = new Map<number, Database.Statement<[number, number, number], ClaimRow>>();
  const claimStatement = (limit: number) => {
    const n = Number.isSafeInteger(limit) && limit >= 0 ? limit : -1; // -1: no limit, as before
    let statement = claimStatements.get(n);
    if (statement === undefined) {
      // The worker's limit is at most its free slots (up to 512 on the local sink): all kept.
      if (claimStatements.size >= 1024) {
        const oldest = claimStatements.keys().next();
        if (oldest.done !== true) claimStatements.delete(oldest.value);
      }
      statement = db.prepare<[number, number, number], ClaimRow>(
        `UPDATE runs SET locked_until = ?, fence = fence + 1 WHERE id IN (
           SELECT id FROM runs WHERE state = 'pending' AND next_attempt_at <= ? AND locked_until <= ?
           ORDER BY next_attempt_at LIMIT ${n})
         RETURNING *, rowid AS claim_order`,
      );
      claimStatements.set(n, statement);
    }
    return statement;
  };
  /** The claimed rows in the order the due index gives them: oldest due first. */
  const claimed = (rows: ClaimRow[]): ClaimedRun[] =>
    rows
      .sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.claim_order - b.claim_order)
      .map(claimedFromRow);
  const claim = (now: number, limit: number, leaseMs: number): ClaimedRun[] =>
    claimed(claimStatement(limit).all(now + leaseMs, now, now));

  /**
   * A claim commits without its own fsync (`synchronous = NORMAL` for that commit, then `FULL`
   * again): a claim is a lease, which a crash of the machine voids anyway (serve releases every
   * claim when it opens the file, and a run whose claim was lost is delivered again, as after a
   * lapsed lease, its delivery key finding an earlier copy). WAL keeps the file whole either way,
   * and the next full commit (the run's save) makes the claim durable with it. This was one fsync
   * per round of the delivery worker, as many as the saves.
   */
  const unsynced = <T>(write: () => T): T => {
    q.syncNormal.run();
    try {
      return write();
    } finally {
      q.syncFull.run();
    }
  };

  const claimOfEvent = (eventId: string, now: number, leaseMs: number): ClaimedRun[] =>
    claimed(q.claimOfEvent.all(now + leaseMs, eventId, now, now));

  return {
    kind: "sqlite",
    findDeliveryIdOwner(listener, deliveryId) {
      return Promise.resolve(ownerOf(listener, deliveryId));
    },
    record(event, runs) {
      return new Promise<RecordResult>((resolve, reject) =>
        enqueue({ kind: "record", event, runs, resolve, reject }),
      );
    },
    recordGroupRun(planned, now) {
      if (planned.origin.kind !== "group")
        return Promise.reject(new Error("recordGroupRun takes runs of origin group"));
      return Promise.resolve(recordGroupRun(planned, now));
    },
    pendingStartsOfGroup(groupId) {
      const prefix = groupOriginPrefix(groupId);
      return Promise.resolve(q.pendingStartsOfGroup.get(prefix, prefix)?.n ?? 0);
    },
    claimDueRuns(now, limit, leaseMs) {
      return Promise.resolve(unsynced(() => claim(now.getTime(), limit, leaseMs)));
    },
    claimDueRunsOfEvent(eventId, now, leaseMs) {
      return Promise.resolve(unsynced(() => claimOfEvent(eventId, now.getTime(), leaseMs)));
    },
    saveRun(run): Promise<SaveResult> {
      let row: Extract<Pending, { kind: "save" }>["row"];
      try {
        row = { ...runToRow(run), fence: run.claimToken };
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      return new Promise<SaveResult>((resolve, reject) =>
        enqueue({ kind: "save", row, resolve, reject }),
      );
    },
    getEvent(id) {
      const row = q.event.get(id);
      if (row === undefined) return Promise.resolve(undefined);
      const event = eventFromRow(row, resolveSet);
      if (!hasPackedTraces(event.traces)) return Promise.resolve(event);
      const runs = q.runs.all(id).map(runFromRow);
      return Promise.resolve({ ...event, traces: unpackTraces(event.traces, runs) });
    },
    getRuns(eventId) {
      return Promise.resolve(q.runs.all(eventId).map(runFromRow));
    },
    listEvents(filter: EventFilter): Promise<EventPage> {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (filter.listener !== undefined) {
        where.push("listener = ?");
        args.push(listenerKey(filter.listener));
      }
      if (filter.outcome !== undefined) {
        where.push("outcome = ?");
        args.push(filter.outcome);
      }
      if (filter.deliveryId !== undefined) {
        where.push("delivery_id = ?");
        args.push(filter.deliveryId);
      }
      if (filter.trigger !== undefined) {
        // A trace or an old not-applicable entry names its trigger; an inline packed entry lists
        // names per group (src/store/pack-not-applicable.ts); a set, its members' table.
        where.push(
          `(not_applicable_set IN (SELECT set_id FROM not_applicable_members WHERE trigger = ?)
            OR EXISTS (SELECT 1 FROM json_each(events.traces) AS t WHERE json_extract(t.value, '$.trigger') = ?
             OR EXISTS (SELECT 1 FROM json_each(t.value, '$.groups') AS g, json_each(g.value, '$.triggers') AS n
                        WHERE n.value = ?)))`,
        );
        args.push(filter.trigger, filter.trigger, filter.trigger);
      }
      if (filter.group !== undefined) {
        where.push(
          "EXISTS (SELECT 1 FROM runs WHERE runs.event_id = events.id AND (runs.group_id = ? OR runs.group_key = ?))",
        );
        args.push(filter.group, filter.group);
      }
      if (filter.since !== undefined) {
        where.push("received_at >= ?");
        args.push(filter.since.getTime());
      }
      if (filter.until !== undefined) {
        where.push("received_at < ?");
        args.push(filter.until.getTime());
      }
      const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      if (after !== undefined) {
        where.push("(received_at < ? OR (received_at = ? AND id < ?))");
        args.push(after.at, after.at, after.id);
      }
      const sql = `SELECT * FROM events ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY received_at DESC, id DESC LIMIT ?`;
      const rows = db.prepare<(string | number)[], EventRow>(sql).all(...args, filter.limit + 1);
      const page = rows.slice(0, filter.limit).map((r) => eventFromRow(r, resolveSet));
      const last = page[page.length - 1];
      return Promise.resolve({
        events: page.map(summarize),
        next: rows.length > filter.limit && last !== undefined ? encodeCursor(last) : undefined,
      });
    },
    countEvents(query: EventCountQuery): Promise<EventCountBucket[]> {
      const args: (string | number)[] = [
        query.since.getTime(),
        query.bucketMs,
        query.since.getTime(),
        countsUntil(query).getTime(),
      ];
      if (query.listener !== undefined) args.push(listenerKey(query.listener));
      const sql = `SELECT CAST((received_at - ?) / ? AS INTEGER) AS bucket, outcome, COUNT(*) AS n FROM events
        WHERE received_at >= ? AND received_at < ?${query.listener === undefined ? "" : " AND listener = ?"}
        GROUP BY bucket, outcome`;
      const rows = db
        .prepare<(string | number)[], { bucket: number; outcome: string; n: number }>(sql)
        .all(...args);
      return Promise.resolve(toEventCountBuckets(query, rows));
    },
    pendingStats() {
      const row = q.pending.get();
      return Promise.resolve({
        pending: row?.n ?? 0,
        oldestDueAt: row?.oldest == null ? undefined : new Date(row.oldest),
      });
    },
    prune(before) {
      const n = q.prune.run(before.getTime()).changes;
      if (n > 0) dropUnusedSets();
      return Promise.resolve(n);
    },
    storedBytes() {
      const events = q.eventBytes.get()?.n ?? 0;
      const runs = q.runBytes.get()?.n ?? 0;
      const sets = q.setBytes.get()?.n ?? 0;
      return Promise.resolve({
        total: events + runs + sets,
        filteredBodies: q.filteredBytes.get()?.n ?? 0,
      });
    },
    evictFiltered(bytes) {
      const n = bytes <= 0 ? 0 : q.evictFiltered.run(bytes).changes;
      if (n > 0) dropUnusedSets();
      return Promise.resolve(n);
    },
    ping() {
      return Promise.resolve(ping());
    },
    health: () => health.check(),
    close() {
      if (timer !== undefined) {
        clearTimeout(timer as NodeJS.Timeout);
        clearImmediate(timer as NodeJS.Immediate);
        flush();
      }
      db.close();
      return Promise.resolve();
    },
  };
}

/** A record that named a set which is no longer there (SQLITE_CONSTRAINT_FOREIGNKEY). */
function isForeignKeyFailure(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}
