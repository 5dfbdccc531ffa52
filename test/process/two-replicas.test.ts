import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answers,
  keepAliveAgent,
  postPush,
  removeDir,
  repeated,
  runPool,
  scratchDir,
  startHookline,
  waitFor,
  writtenResources,
  type Answer,
  type HooklineProcess,
} from "../support/process-hookline.js";

/**
 * Two hookline processes on one PostgreSQL journal and one output directory (a shared volume, as
 * the cluster is shared by the Kubernetes sink), each sent every delivery once, concurrently:
 * one of the two records and fires it, the other answers a duplicate with the original's event id,
 * and each event's resource is created once, whichever worker delivers it.
 *
 * The server: HOOKLINE_TEST_POSTGRES_URL, or else (in CI, or when something answers on
 * 127.0.0.1:5432) postgres://postgres@127.0.0.1:5432/test. The test runs in a database of its
 * own, created and dropped here (the serve command has no option for the journal's schema).
 * Without a server the test is skipped locally; in CI it runs, and fails. Needs `npm run build`.
 */
const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";
const EVENTS = 1_000;
const CONCURRENCY = 20;

const url =
  process.env.HOOKLINE_TEST_POSTGRES_URL ??
  (process.env.CI !== undefined || (await answers("127.0.0.1", 5432, 500))
    ? DEFAULT_URL
    : undefined);

if (url === undefined) {
  describe.skip("two replicas: PostgreSQL not reachable on 127.0.0.1:5432; set HOOKLINE_TEST_POSTGRES_URL", () => {
    it("share one journal and one sink", () => {});
  });
} else {
  describe("two replicas (hookline processes, one PostgreSQL journal, one out dir)", () => {
    const database = `hookline_proc_${randomBytes(6).toString("hex")}`;
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${database}`;
    let admin: pg.Client | undefined;
    let created = false;

    beforeAll(async () => {
      admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database}"`);
      created = true;
    });

    afterAll(async () => {
      try {
        if (created) await admin?.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await admin?.end();
      }
    });

    it("fire each delivery once, answer the other copy as its duplicate, and create it once", async () => {
      const dir = scratchDir();
      const outDir = join(dir, "out");
      const store = dbUrl.toString();
      const ids = Array.from({ length: EVENTS }, () => randomUUID());
      const agents = [keepAliveAgent(CONCURRENCY), keepAliveAgent(CONCURRENCY)] as const;
      const journal = new pg.Client({ connectionString: store });
      let replicas: HooklineProcess[] = [];
      try {
        // Both start at once on the empty database: the migration must be applied once.
        const started = await Promise.allSettled([
          startHookline({ store, outDir }),
          startHookline({ store, outDir }),
        ]);
        replicas = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
        for (const s of started) if (s.status === "rejected") throw s.reason;
        const [a, b] = replicas as [HooklineProcess, HooklineProcess];
        await journal.connect();

        // Each delivery id to both replicas, side by side in the queue (which goes first alternates).
        const sends = ids.flatMap((id, i) => {
          const pair = [
            { replica: 0, id },
            { replica: 1, id },
          ];
          return i % 2 === 0 ? pair : pair.reverse();
        });
        const results = await runPool(sends, CONCURRENCY, async (s) => ({
          replica: s.replica,
          answer: await postPush(agents[s.replica]!, [a, b][s.replica]!.port, s.id, 20_000),
        }));
        expect(results).toHaveLength(2 * EVENTS);

        const byId = new Map<string, Answer[]>();
        for (const r of results) {
          const list = byId.get(r.answer.deliveryId) ?? [];
          list.push(r.answer);
          byId.set(r.answer.deliveryId, list);
        }
        const originals = new Map<string, string>();
        const problems: string[] = [];
        for (const id of ids) {
          const pair = byId.get(id) ?? [];
          const fresh = pair.filter((x) => x.status === 202 && x.body?.duplicate === false);
          const dup = pair.filter((x) => x.status === 200 && x.body?.duplicate === true);
          if (pair.length !== 2 || fresh.length !== 1 || dup.length !== 1) {
            problems.push(
              `${id}: ${pair.map((x) => `${x.status ?? x.error} ${JSON.stringify(x.body)}`).join(" | ")}`,
            );
            continue;
          }
          const original = fresh[0]!.body?.eventID;
          if (typeof original !== "string" || dup[0]!.body?.eventID !== original) {
            problems.push(`${id}: duplicate names ${dup[0]!.body?.eventID}, original ${original}`);
            continue;
          }
          originals.set(id, original);
        }
        expect(problems.slice(0, 10), `${problems.length} delivery ids answered wrong`).toEqual([]);

        const runStates = async (): Promise<{
          pending: number;
          delivered: number;
          dead: number;
        }> => {
          const { rows } = await journal.query<{
            pending: number;
            delivered: number;
            dead: number;
          }>(
            `SELECT count(*) FILTER (WHERE state = 'pending')::integer AS pending,
                    count(*) FILTER (WHERE state = 'delivered')::integer AS delivered,
                    count(*) FILTER (WHERE state = 'dead')::integer AS dead
             FROM hookline.runs`,
          );
          return rows[0] ?? { pending: -1, delivered: -1, dead: -1 };
        };
        await waitFor(
          "both workers to deliver every run",
          async () => {
            return (await runStates()).pending === 0;
          },
          30_000,
        );
        expect(await runStates()).toEqual({ pending: 0, delivered: EVENTS, dead: 0 });

        // The journal: one firing event per delivery id, which holds it; one duplicate of it.
        const { rows: outcomes } = await journal.query<{
          outcome: string;
          n: number;
          holders: number;
        }>(
          `SELECT outcome, count(*)::integer AS n, count(delivery_id)::integer AS holders
           FROM hookline.events GROUP BY outcome ORDER BY outcome`,
        );
        expect(outcomes).toEqual([
          { outcome: "duplicate", n: EVENTS, holders: 0 },
          { outcome: "fired", n: EVENTS, holders: EVENTS },
        ]);

        const created = replicas.map((r) => r.count("resource created"));
        await Promise.all(replicas.map((r) => r.stop()));
        for (const r of replicas) {
          expect(r.child.exitCode, `graceful exit:\n${r.tail()}`).toBe(0);
          expect(r.errors, "error log lines").toEqual([]);
        }

        // Each delivery id's event: one resource, whichever replica delivered it.
        const files = writtenResources(outDir);
        expect(repeated(files.map((f) => f.eventId)), "an event id on two resources").toEqual({});
        expect(
          repeated(files.map((f) => f.deliveryKey)),
          "a delivery key on two resources",
        ).toEqual({});
        const fileEvents = new Set(files.map((f) => f.eventId));
        const missing = ids.filter((id) => !fileEvents.has(originals.get(id)));
        expect(missing, "delivery ids without a resource").toEqual([]);
        expect(files).toHaveLength(EVENTS);
        console.info(
          `two-replicas: ${EVENTS} delivery ids x 2 replicas; 202 from replica A: ` +
            `${results.filter((r) => r.replica === 0 && r.answer.status === 202).length}, from B: ` +
            `${results.filter((r) => r.replica === 1 && r.answer.status === 202).length}; ` +
            `resources created by A: ${created[0]}, by B: ${created[1]}; files: ${files.length}`,
        );
      } finally {
        for (const agent of agents) agent.destroy();
        await Promise.all(replicas.map((r) => r.kill()));
        await journal.end().catch(() => undefined);
        removeDir(dir);
      }
    }, 120_000);
  });
}
