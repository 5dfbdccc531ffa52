import type Database from "better-sqlite3";

/** Each entry moves the schema one version on; `PRAGMA user_version` records where a file is. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    id TEXT PRIMARY KEY,
    listener TEXT NOT NULL,
    -- The provider's delivery id while this event holds it (cleared when a redelivery takes it).
    holder_delivery_id TEXT,
    delivery_id TEXT,
    provider TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    traces TEXT NOT NULL,
    duplicate_of TEXT,
    replay_of TEXT
  );
  CREATE UNIQUE INDEX events_holder ON events (listener, holder_delivery_id)
    WHERE holder_delivery_id IS NOT NULL;
  CREATE INDEX events_received ON events (received_at DESC, id DESC);
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    trace_index INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    namespace TEXT NOT NULL,
    service_account TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    first_attempt_at INTEGER,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    locked_until INTEGER NOT NULL DEFAULT 0,
    deliveries TEXT NOT NULL
  );
  CREATE INDEX runs_due ON runs (state, next_attempt_at);
  CREATE INDEX runs_event ON runs (event_id);
  `,
  // Runs say who planned them (a trigger, or the listener's cloudEventURI); the kind of each
  // delivery is in its JSON, and records from before are read by parse-stored-deliveries.ts.
  `
  ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT 'trigger';
  UPDATE runs SET origin = 'listener' WHERE trigger = '(cloudEventURI)' AND trace_index = -1;
  `,
  // The run's fencing counter: every claim and every save moves it on, and a save must bring the
  // value its claim was given (see ClaimedRun in ../types.ts).
  `
  ALTER TABLE runs ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
  `,
  // One row that /ready's probe write rewrites (src/store/write-health.ts).
  `
  CREATE TABLE health_probe (id INTEGER PRIMARY KEY, written_at INTEGER NOT NULL);
  `,
  // A request nobody authenticated and that fired nothing keeps no body: its size, hash and
  // reason as JSON here (NULL for a body kept), and an empty \`body\`.
  `
  ALTER TABLE events ADD COLUMN body_not_kept TEXT;
  `,
  // The W3C trace context of the request, as a JSON text-map carrier (NULL when tracing was
  // off): on the event for its page, on each run for its delivery spans.
  `
  ALTER TABLE events ADD COLUMN trace_context TEXT;
  ALTER TABLE runs ADD COLUMN trace_context TEXT;
  `,
  // Concurrency groups (issue 12): a run's RunConcurrency as JSON, its group id, readable key and
  // order in their own columns (supersede finds the group's pending runs by group_id and state;
  // the list filters by group_id or group_key), and the event that superseded it.
  `
  ALTER TABLE runs ADD COLUMN concurrency TEXT;
  ALTER TABLE runs ADD COLUMN group_id TEXT;
  ALTER TABLE runs ADD COLUMN group_key TEXT;
  ALTER TABLE runs ADD COLUMN group_order TEXT;
  ALTER TABLE runs ADD COLUMN superseded_by TEXT;
  CREATE INDEX runs_group ON runs (group_id, state) WHERE group_id IS NOT NULL;
  CREATE INDEX runs_group_key ON runs (group_key) WHERE group_key IS NOT NULL;
  `,
  // An event's not-applicable list is stored once per distinct list (src/store/not-applicable-set.ts):
  // the set's packed list, its trigger names for the \`trigger\` filter, and the event's reference.
  // Rows written before keep their list inline in \`traces\` and read as they are.
  `
  CREATE TABLE not_applicable_sets (
    id TEXT PRIMARY KEY,
    packed TEXT NOT NULL,
    count INTEGER NOT NULL
  );
  CREATE TABLE not_applicable_members (
    trigger TEXT NOT NULL,
    set_id TEXT NOT NULL REFERENCES not_applicable_sets (id) ON DELETE CASCADE,
    PRIMARY KEY (trigger, set_id)
  ) WITHOUT ROWID;
  CREATE INDEX not_applicable_members_set ON not_applicable_members (set_id);
  ALTER TABLE events ADD COLUMN not_applicable_set TEXT REFERENCES not_applicable_sets (id);
  CREATE INDEX events_not_applicable_set ON events (not_applicable_set)
    WHERE not_applicable_set IS NOT NULL;
  `,
];

/**
 * Brings a database file's schema up to date, every step in one transaction: an upgrade is whole
 * or not at all, and a new file costs one fsync rather than one per step (a journal opened on a
 * busy disk waited for each, at every fresh start).
 */
export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current >= MIGRATIONS.length) return;
  db.transaction(() => {
    MIGRATIONS.forEach((sql, i) => {
      if (i + 1 > current) db.exec(sql);
    });
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}
