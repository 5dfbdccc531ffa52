import type { Pool, PoolClient } from "pg";

/**
 * The PostgreSQL journal's schema, as numbered migrations. Each one runs in its own transaction
 * under a transaction-level advisory lock, so replicas that start together apply it once.
 *
 * JSON columns are `json`, not `jsonb`: `json` keeps the text as written, so key order (a rendered
 * resource's body is written out as YAML in that order) and `\u0000` in strings (jsonb refuses
 * it, and a payload value can carry one into a trace or a resource) survive the round trip.
 * Filters never look inside them: the trigger names a filter needs are kept in their own column
 * (the list reads one value out of `headers`, the event type, for display only).
 */

/** `pg_advisory_xact_lock(classid, objid)` classids, so hookline's locks do not meet others'. */
export const LOCK_MIGRATE = 0x686c0001;
export const LOCK_DELIVERY_ID = 0x686c0002;
/** Held by a record that supersedes runs of a concurrency group (keyed by the group id). */
export const LOCK_GROUP_SUPERSEDE = 0x686c0003;

/** A quoted schema name; only plain identifiers are accepted. */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}

interface Migration {
  version: number;
  name: string;
  sql: (s: string) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "events and runs",
    sql: (s) => `
      CREATE TABLE ${s}.events (
        id text COLLATE "C" PRIMARY KEY,
        listener text NOT NULL,
        listener_namespace text NOT NULL,
        listener_name text NOT NULL,
        provider text NOT NULL,
        -- The provider's delivery id while this event holds it (cleared when a redelivery takes it).
        delivery_id text,
        -- The provider's delivery id as received, for display and filters: never cleared.
        received_delivery_id text,
        received_at timestamptz NOT NULL,
        method text NOT NULL,
        url text NOT NULL,
        headers json NOT NULL,
        body bytea NOT NULL,
        status integer NOT NULL,
        outcome text NOT NULL,
        traces json NOT NULL,
        trigger_names text[] NOT NULL,
        trigger_outcomes text[] NOT NULL,
        duplicate_of text,
        replay_of text
      );
      CREATE UNIQUE INDEX events_delivery_id_key ON ${s}.events (listener, delivery_id)
        WHERE delivery_id IS NOT NULL;
      CREATE INDEX events_received ON ${s}.events (received_at DESC, id DESC);
      CREATE INDEX events_listener ON ${s}.events (listener, received_at DESC, id DESC);
      CREATE INDEX events_outcome ON ${s}.events (outcome, received_at DESC, id DESC);
      CREATE INDEX events_received_delivery_id ON ${s}.events (received_delivery_id)
        WHERE received_delivery_id IS NOT NULL;
      CREATE INDEX events_trigger_names ON ${s}.events USING gin (trigger_names);

      CREATE TABLE ${s}.runs (
        id text COLLATE "C" PRIMARY KEY,
        event_id text COLLATE "C" NOT NULL REFERENCES ${s}.events (id) ON DELETE CASCADE,
        trace_index integer NOT NULL,
        trigger text NOT NULL,
        namespace text NOT NULL,
        service_account text,
        state text NOT NULL,
        attempts integer NOT NULL,
        first_attempt_at timestamptz,
        next_attempt_at timestamptz NOT NULL,
        -- A JSON string: an error message may hold a NUL, which text refuses.
        last_error json,
        locked_until timestamptz,
        deliveries json NOT NULL
      );
      CREATE INDEX runs_event ON ${s}.runs (event_id);
      CREATE INDEX runs_due ON ${s}.runs (next_attempt_at) WHERE state = 'pending';
    `,
  },
  {
    version: 2,
    // The kind of each delivery is in its JSON; records from before are read by
    // parse-stored-deliveries.ts. A listener's run (cloudEventURI) has no trace nor trigger.
    name: "run origins",
    sql: (s) => `
      ALTER TABLE ${s}.runs ADD COLUMN origin text NOT NULL DEFAULT 'trigger';
      ALTER TABLE ${s}.runs ALTER COLUMN trace_index DROP NOT NULL;
      ALTER TABLE ${s}.runs ALTER COLUMN trigger DROP NOT NULL;
      UPDATE ${s}.runs SET origin = 'listener', trace_index = NULL, trigger = NULL
        WHERE trigger = '(cloudEventURI)' AND trace_index = -1;
    `,
  },
  {
    version: 3,
    name: "run fencing tokens",
    // Every claim and every save moves the fence on; a save must bring the value its claim was
    // given (see ClaimedRun in ../types.ts). integer: a run is claimed a handful of times.
    sql: (s) => `ALTER TABLE ${s}.runs ADD COLUMN fence integer NOT NULL DEFAULT 0;`,
  },
  {
    version: 4,
    name: "health probe",
    // One row that /ready's probe write rewrites (src/store/write-health.ts); replicas share it.
    sql: (s) =>
      `CREATE TABLE ${s}.health_probe (id integer PRIMARY KEY, written_at timestamptz NOT NULL);`,
  },
  {
    version: 5,
    name: "bodies not kept",
    // A request nobody authenticated and that fired nothing keeps no body: its size, hash and
    // reason here (NULL for a body kept), and an empty `body`.
    sql: (s) => `ALTER TABLE ${s}.events ADD COLUMN body_not_kept json;`,
  },
  {
    version: 6,
    name: "trace context",
    // The W3C trace context of the request, as a JSON text-map carrier (NULL when tracing was
    // off): on the event for its page, on each run for its delivery spans.
    sql: (s) => `
      ALTER TABLE ${s}.events ADD COLUMN trace_context json;
      ALTER TABLE ${s}.runs ADD COLUMN trace_context json;
    `,
  },
  {
    version: 7,
    name: "concurrency groups",
    // Issue 12: a run's RunConcurrency, its group id, readable key and order in their own
    // columns (supersede finds a group's pending runs by group_id and state; the list filters by
    // group_id or group_key), and the event that superseded it. The order compares as bytes, as
    // JavaScript compares it.
    sql: (s) => `
      ALTER TABLE ${s}.runs ADD COLUMN concurrency json;
      ALTER TABLE ${s}.runs ADD COLUMN group_id text COLLATE "C";
      ALTER TABLE ${s}.runs ADD COLUMN group_key text;
      ALTER TABLE ${s}.runs ADD COLUMN group_order text COLLATE "C";
      ALTER TABLE ${s}.runs ADD COLUMN superseded_by text;
      CREATE INDEX runs_group ON ${s}.runs (group_id, state) WHERE group_id IS NOT NULL;
      CREATE INDEX runs_group_key ON ${s}.runs (group_key) WHERE group_key IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: "not-applicable sets",
    // An event's not-applicable list is stored once per distinct list (src/store/not-applicable-set.ts):
    // the packed list, its trigger names (GIN: the \`trigger\` filter) and its size; the event names
    // its set and keeps the count for the list view. Rows written before keep the list inline in
    // \`traces\` and all names in \`trigger_names\`, and read as they are.
    sql: (s) => `
      CREATE TABLE ${s}.not_applicable_sets (
        id text PRIMARY KEY,
        packed text NOT NULL,
        count integer NOT NULL,
        trigger_names text[] NOT NULL
      );
      CREATE INDEX not_applicable_sets_trigger_names ON ${s}.not_applicable_sets USING gin (trigger_names);
      ALTER TABLE ${s}.events ADD COLUMN not_applicable_set text
        REFERENCES ${s}.not_applicable_sets (id);
      ALTER TABLE ${s}.events ADD COLUMN not_applicable_count integer NOT NULL DEFAULT 0;
      CREATE INDEX events_not_applicable_set ON ${s}.events (not_applicable_set)
        WHERE not_applicable_set IS NOT NULL;
    `,
  },
];

/** Creates the schema and applies the migrations it has not seen yet. */
export async function migrate(pool: Pool, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  const lock = (client: PoolClient) =>
    client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_MIGRATE, schema]);
  const applied = await transaction(pool, async (client) => {
    await lock(client);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM ${s}.schema_migrations`,
    );
    return new Set(rows.map((r) => r.version));
  });
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    await transaction(pool, async (client) => {
      await lock(client);
      const done = await client.query(`SELECT 1 FROM ${s}.schema_migrations WHERE version = $1`, [
        m.version,
      ]);
      if (done.rowCount !== 0) return;
      await client.query(m.sql(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
    });
  }
}

/** Runs `work` in a transaction on one pooled connection: committed, or rolled back on a throw. */
export async function transaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
