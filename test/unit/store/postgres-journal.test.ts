import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { describePostgresFailure } from "../../../src/store/postgres/describe-postgres-failure.js";
import { createPostgresJournal } from "../../../src/store/postgres/postgres-journal.js";
import type { Journal } from "../../../src/store/types.js";
import { at, describeJournalContract, groupedRun, makeEvent } from "./journal-contract.js";

/**
 * The journal contract on PostgreSQL. The server: HOOKLINE_TEST_POSTGRES_URL, or else (in CI, or
 * when something answers on 127.0.0.1:5432) postgres://postgres@127.0.0.1:5432/test. Without a
 * server the suite is skipped locally; in CI it runs, and fails.
 */
const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";

function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const url =
  process.env.HOOKLINE_TEST_POSTGRES_URL ??
  (process.env.CI !== undefined || (await answers("127.0.0.1", 5432, 500))
    ? DEFAULT_URL
    : undefined);

if (url === undefined) {
  describe.skip("postgres journal: PostgreSQL not reachable; set HOOKLINE_TEST_POSTGRES_URL", () => {
    it("runs the journal contract", () => {});
  });
} else {
  const schema = `hookline_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Pool({ connectionString: url, max: 2 });

  afterAll(async () => {
    try {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await admin.end();
    }
  });

  describeJournalContract("postgres", async () => {
    const journal = await createPostgresJournal({ url, schema, poolSize: 8 });
    await admin.query(
      `TRUNCATE "${schema}".events, "${schema}".runs, "${schema}".not_applicable_sets`,
    );
    return journal;
  });

  describe("postgres journal: schema", () => {
    const other = `hookline_test_${randomBytes(6).toString("hex")}`;

    beforeAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${other}" CASCADE`);
    });

    afterAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${other}" CASCADE`);
    });

    it("migrates once when replicas start together, and again is a no-op", async () => {
      const journals = await Promise.all(
        Array.from({ length: 4 }, () => createPostgresJournal({ url, schema: other, poolSize: 2 })),
      );
      await Promise.all(journals.map((j) => j.close()));
      const again = await createPostgresJournal({ url, schema: other, poolSize: 1 });
      await again.close();
      const { rows } = await admin.query<{ version: number }>(
        `SELECT version FROM "${other}".schema_migrations ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it("refuses a schema name that is not a plain identifier", async () => {
      await expect(createPostgresJournal({ url, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(
        /invalid PostgreSQL schema name/,
      );
    });

    it("names no host, user or value when it cannot be reached", () => {
      const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:5432"), {
        code: "ECONNREFUSED",
      });
      expect(describePostgresFailure(refused)).toBe("PostgreSQL cannot be reached (ECONNREFUSED)");
      expect(describePostgresFailure(new Error("Connection terminated unexpectedly"))).toBe(
        "PostgreSQL cannot be reached",
      );
      expect(describePostgresFailure(new TypeError("a bug of ours"))).toBe(undefined);
    });

    it("answers false to ping once closed, and fails to start without a server", async () => {
      const journal = await createPostgresJournal({ url, schema: other, poolSize: 1 });
      await expect(journal.ping()).resolves.toBe(true);
      await journal.close();
      await expect(journal.ping()).resolves.toBe(false);
      await expect(
        createPostgresJournal({ url: "postgres://postgres@127.0.0.1:1/test", schema: other }),
      ).rejects.toThrow();
    });
  });

  /**
   * PostgreSQL refusing writes, for real: `default_transaction_read_only` on a fresh database (as
   * a server turned read-only, or a failover onto a standby, would). It applies to new sessions,
   * so the journal's connections are ended to make it take effect; reads keep working.
   */
  describe("postgres journal: health", () => {
    const database = `hookline_ro_${randomBytes(6).toString("hex")}`;
    const dbUrl = (() => {
      const u = new URL(url);
      u.pathname = `/${database}`;
      return u.toString();
    })();
    /** Ends the journal's sessions, and lets its pool drop them (a read on each fails once). */
    const reconnect = async (journal: Journal): Promise<void> => {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [database],
      );
      for (let i = 0; i < 5 && !(await journal.ping()); i++);
    };
    const readOnly = (on: boolean): Promise<unknown> =>
      admin.query(
        on
          ? `ALTER DATABASE "${database}" SET default_transaction_read_only = on`
          : `ALTER DATABASE "${database}" RESET default_transaction_read_only`,
      );

    beforeAll(async () => {
      await admin.query(`CREATE DATABASE "${database}"`);
    });
    beforeEach(() => readOnly(false));
    afterAll(async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    });

    it("is not ready while the database is read-only, and ready once it takes writes again", async () => {
      const journal = await createPostgresJournal({
        url: dbUrl,
        poolSize: 2,
        probeIntervalMs: 3_600_000, // no probe after the first: records decide
        onError: () => {}, // the terminated idle connections; the pool reconnects
      });
      try {
        await expect(journal.health()).resolves.toEqual({ ready: true });
        await readOnly(true);
        await reconnect(journal);
        await expect(journal.record(makeEvent(), [])).rejects.toMatchObject({ code: "25006" });
        await expect(journal.ping()).resolves.toBe(true);
        const health = await journal.health();
        expect(health).toEqual({
          ready: false,
          reason: "PostgreSQL refuses writes (read-only transaction) (25006)",
        });
        expect(JSON.stringify(health)).not.toContain(database);

        await readOnly(false);
        await reconnect(journal);
        await expect(journal.health()).resolves.toMatchObject({ ready: false });
        await expect(journal.record(makeEvent(), [])).resolves.toEqual({ kind: "stored" });
        await expect(journal.health()).resolves.toEqual({ ready: true });
      } finally {
        await journal.close();
      }
    });

    it("sees a read-only database with no traffic (the probe write), and recovers the same way", async () => {
      const journal = await createPostgresJournal({
        url: dbUrl,
        poolSize: 2,
        probeIntervalMs: 0,
        onError: () => {},
      });
      try {
        await readOnly(true);
        await reconnect(journal);
        await expect(journal.health()).resolves.toMatchObject({
          ready: false,
          reason: expect.stringContaining("(25006)") as string,
        });
        await readOnly(false);
        await reconnect(journal);
        await expect(journal.health()).resolves.toEqual({ ready: true });
      } finally {
        await journal.close();
      }
    });
  });

  describe("postgres journal: supersede with several replicas", () => {
    const shared = `hookline_test_${randomBytes(6).toString("hex")}`;

    afterAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${shared}" CASCADE`);
    });

    it("leaves exactly one pending run when replicas record a group's events at once", async () => {
      const replicas = await Promise.all(
        Array.from({ length: 3 }, () =>
          createPostgresJournal({ url, schema: shared, poolSize: 4 }),
        ),
      );
      try {
        // 30 events of one group, given out round-robin and recorded all at once: without the
        // group's lock, two records could each miss the other's run and leave both pending.
        const recorded = Array.from({ length: 30 }, (_, i) => {
          const event = makeEvent({ receivedAt: at(i * 10), outcome: "fired" });
          return { event, run: groupedRun(event, "acme/web#9", "cancel-in-progress") };
        });
        const results = await Promise.all(
          recorded.map(({ event, run }, i) => replicas[i % 3]!.record(event, [run])),
        );
        const { rows } = await admin.query<{ id: string; state: string }>(
          `SELECT id, state FROM "${shared}".runs`,
        );
        const newest = recorded[29]!.run.id;
        expect(rows.filter((r) => r.state === "pending").map((r) => r.id)).toEqual([newest]);
        expect(rows.filter((r) => r.state === "superseded")).toHaveLength(29);
        // Every superseded run is reported once, by the record that superseded it.
        const reported = results.flatMap((r) => (r.kind === "stored" ? (r.superseded ?? []) : []));
        expect(reported.sort()).toEqual(
          rows
            .filter((r) => r.state === "superseded")
            .map((r) => r.id)
            .sort(),
        );
      } finally {
        await Promise.all(replicas.map((j) => j.close()));
      }
    });
  });
}
