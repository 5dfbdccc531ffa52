import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteJournal } from "../../../src/store/sqlite/sqlite-journal.js";
import type { ClaimedRun, Journal } from "../../../src/store/types.js";
import {
  describeJournalContract,
  firedTrace,
  makeEvent,
  plannedRun,
  resource,
} from "./journal-contract.js";

const dir = mkdtempSync(join(tmpdir(), "hookline-sqlite-journal-"));
let n = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeJournalContract("sqlite", () =>
  Promise.resolve(createSqliteJournal({ path: join(dir, `journal-${++n}.db`) })),
);

describe("claims when the file is opened", () => {
  /** A file with one due run, claimed (60 s lease) by a handle that is then left open or closed. */
  async function claimedFile(): Promise<{
    path: string;
    holder: Journal;
    claimed: ClaimedRun;
  }> {
    const path = join(dir, `claims-${++n}.db`);
    const holder = createSqliteJournal({ path });
    const event = makeEvent({ outcome: "fired", traces: [firedTrace("t", [resource("r")])] });
    await holder.record(event, [plannedRun(event, 0, [resource("r")])]);
    const [claimed] = await holder.claimDueRuns(new Date(), 10, 60_000);
    if (claimed === undefined) throw new Error("nothing was claimed");
    return { path, holder, claimed };
  }

  it("keeps a live holder's claims when another process opens the file (replay)", async () => {
    const { path, holder, claimed } = await claimedFile();
    const shared = createSqliteJournal({ path });
    try {
      expect(await shared.claimDueRuns(new Date(), 10, 60_000)).toEqual([]);
      expect(await shared.claimDueRunsOfEvent(claimed.eventId, new Date(), 60_000)).toEqual([]);
      expect(await holder.saveRun({ ...claimed, state: "delivered" })).toEqual({ kind: "saved" });
    } finally {
      await shared.close();
      await holder.close();
    }
  });

  it("releases a dead holder's claims when the lock's new holder opens it (restart after a crash)", async () => {
    const { path, holder, claimed } = await claimedFile();
    await holder.close(); // killed: its claim is left in the file
    const restarted = createSqliteJournal({ path, releaseClaims: true });
    try {
      const [again] = await restarted.claimDueRuns(new Date(), 10, 60_000);
      expect(again?.id).toBe(claimed.id);
      expect(again?.claimToken).not.toBe(claimed.claimToken);
    } finally {
      await restarted.close();
    }
  });
});
