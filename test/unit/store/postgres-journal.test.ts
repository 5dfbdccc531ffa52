import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresJournal } from "../../../src/store/postgres/postgres-journal.js";
import { describeJournalContract } from "./journal-contract.js";

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
    await admin.query(`TRUNCATE "${schema}".events, "${schema}".runs`);
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
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4]);
    });

    it("refuses a schema name that is not a plain identifier", async () => {
      await expect(createPostgresJournal({ url, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(
        /invalid PostgreSQL schema name/,
      );
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
}
