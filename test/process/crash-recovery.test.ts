import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { join, relative } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  keepAliveAgent,
  postPush,
  removeDir,
  repeated,
  runPool,
  scratchDir,
  startHookline,
  strayFiles,
  waitFor,
  writtenResources,
  type Answer,
  type HooklineProcess,
} from "../support/process-hookline.js";

/**
 * A crash in the middle of a burst: hookline (a real process, SQLite journal) is killed with
 * SIGKILL while requests are in flight, restarted on the same journal and output directory, and
 * sent again what was not answered, with the same delivery ids (as GitHub's redelivery does).
 * Every event that was answered 2xx must end up as exactly one resource, and none twice.
 *
 * Needs the build in dist/ (`npm run build`).
 */
const EVENTS = 2_000;
const CONCURRENCY = 20;
const KILL_AFTER = 700;

const is2xx = (a: Answer): boolean => a.status !== undefined && a.status >= 200 && a.status < 300;

/** Runs still pending in the journal, read through a read-only connection of its own. */
function pendingRuns(dbPath: string): {
  pending: number;
  delivered: number;
  dead: number;
  holders: number;
} {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare<[], { pending: number; delivered: number; dead: number; holders: number }>(
        `SELECT COALESCE(SUM(state = 'pending'), 0) AS pending,
           COALESCE(SUM(state = 'delivered'), 0) AS delivered,
           COALESCE(SUM(state = 'dead'), 0) AS dead,
           (SELECT COUNT(*) FROM events WHERE holder_delivery_id IS NOT NULL) AS holders
         FROM runs`,
      )
      .get();
    return row ?? { pending: -1, delivered: -1, dead: -1, holders: -1 };
  } finally {
    db.close();
  }
}

describe("crash recovery (hookline process, SQLite journal)", () => {
  it("creates each answered event's resource exactly once across a SIGKILL and redelivery", async () => {
    const dir = scratchDir();
    const store = join(dir, "hookline.db");
    const outDir = join(dir, "out");
    const ids = Array.from({ length: EVENTS }, () => randomUUID());
    let server: HooklineProcess | undefined;
    const agents = [keepAliveAgent(CONCURRENCY), keepAliveAgent(CONCURRENCY)];
    try {
      // Phase 1: a burst, and SIGKILL once KILL_AFTER answers are in.
      const first = await startHookline({ store, outDir });
      server = first;
      let accepted = 0;
      let inFlight = 0;
      let inFlightAtKill = -1;
      let killed = false;
      const phase1 = await runPool(
        ids,
        CONCURRENCY,
        async (id) => {
          inFlight++;
          const answer = await postPush(agents[0]!, first.port, id, 20_000);
          inFlight--;
          if (is2xx(answer) && ++accepted === KILL_AFTER) {
            killed = true;
            inFlightAtKill = inFlight;
            first.child.kill("SIGKILL");
          }
          return answer;
        },
        () => killed,
      );
      await first.kill();
      agents[0]!.destroy();
      expect(killed, "the server was killed during the burst").toBe(true);

      const answered1 = phase1.filter(is2xx);
      // Sanity: the kill landed in the middle, with requests on the wire.
      expect(inFlightAtKill).toBeGreaterThan(0);
      expect(answered1.length).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(answered1.length).toBeLessThan(EVENTS);
      for (const a of answered1) {
        expect(a.status, `${a.deliveryId}: ${JSON.stringify(a.body)}`).toBe(202);
        expect(a.body?.duplicate).toBe(false);
        expect(typeof a.body?.eventID).toBe("string");
      }
      const failed1 = phase1.filter((a) => !is2xx(a));
      // Whatever was not answered 2xx failed on the connection (no 4xx/5xx from hookline itself).
      for (const a of failed1) expect(a.status, `${a.deliveryId}: ${a.error}`).toBeUndefined();

      // Phase 2: restart on the same journal and out dir; the journal's pending runs go out.
      const second = await startHookline({ store, outDir });
      server = second;
      await waitFor(
        "the restarted worker to deliver the journal's pending runs",
        () => {
          return pendingRuns(store).pending === 0;
        },
        30_000,
      );

      // Redeliver everything not answered 2xx, with the same delivery ids.
      const answeredIds = new Set(answered1.map((a) => a.deliveryId));
      const again = ids.filter((id) => !answeredIds.has(id));
      const phase2 = await runPool(again, CONCURRENCY, (id) =>
        postPush(agents[1]!, second.port, id, 20_000),
      );
      expect(phase2).toHaveLength(again.length);
      for (const a of phase2) {
        expect(is2xx(a), `${a.deliveryId}: ${a.status ?? a.error} ${JSON.stringify(a.body)}`).toBe(
          true,
        );
        expect(typeof a.body?.eventID).toBe("string");
        // A duplicate answer is 200; a new event is 202.
        expect(a.status).toBe(a.body?.duplicate === true ? 200 : 202);
      }
      await waitFor(
        "the redelivered events' runs to be delivered",
        () => {
          return pendingRuns(store).pending === 0;
        },
        30_000,
      );
      // One firing event holds each delivery id, and its one run was delivered.
      expect(pendingRuns(store)).toEqual({
        pending: 0,
        delivered: EVENTS,
        dead: 0,
        holders: EVENTS,
      });
      await second.stop();
      expect(second.child.exitCode, `graceful exit:\n${second.tail()}`).toBe(0);
      expect(second.errors, "error log lines after the restart").toEqual([]);

      // Every event answered 2xx (in either phase) has exactly one resource.
      const files = writtenResources(outDir);
      const byEvent = new Map<string, number>();
      for (const f of files)
        if (f.eventId !== undefined) byEvent.set(f.eventId, (byEvent.get(f.eventId) ?? 0) + 1);
      const answeredEvents = [...answered1, ...phase2].map((a) => a.body?.eventID as string);
      const missing = answeredEvents.filter((e) => byEvent.get(e) !== 1);
      expect(missing, "answered events without exactly one resource").toEqual([]);
      expect(repeated(files.map((f) => f.eventId)), "an event id on two resources").toEqual({});
      expect(repeated(files.map((f) => f.deliveryKey)), "a delivery key on two resources").toEqual(
        {},
      );
      expect(files.filter((f) => f.eventId === undefined || f.deliveryKey === undefined)).toEqual(
        [],
      );
      // One resource per delivery id, and none for an event nobody was told about.
      expect(files).toHaveLength(EVENTS);
      const known = new Set(answeredEvents);
      expect(files.filter((f) => !known.has(f.eventId ?? ""))).toEqual([]);

      const duplicates2 = phase2.filter((a) => a.body?.duplicate === true);
      const stray = strayFiles(outDir).map(
        (p) => `${relative(outDir, p)} (links: ${statSync(p).nlink})`,
      );
      console.info(
        `crash-recovery: phase 1 answered ${answered1.length}/${EVENTS} (in flight at the kill: ${inFlightAtKill}, ` +
          `not answered: ${failed1.length}, never sent: ${EVENTS - phase1.length}); ` +
          `phase 2 sent ${again.length} (duplicates of events journaled before the kill: ${duplicates2.length}); ` +
          `resources: ${files.length}; stray files in out: ${stray.length ? stray.join(", ") : "none"}`,
      );
    } finally {
      for (const a of agents) a.destroy();
      await server?.kill();
      removeDir(dir);
    }
  }, 120_000);
});
