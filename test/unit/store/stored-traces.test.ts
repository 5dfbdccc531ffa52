import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteJournal } from "../../../src/store/sqlite/sqlite-journal.js";
import { firedTrace, makeEvent, plannedRun, resource } from "./journal-contract.js";

const dir = mkdtempSync(join(tmpdir(), "hookline-stored-traces-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a fired trace's resources in the SQLite journal", () => {
  it("are written once, in the run, and read back into the trace", async () => {
    const path = join(dir, "journal.db");
    const journal = createSqliteJournal({ path });
    const shared = [resource("written-once")];
    const event = makeEvent({ traces: [firedTrace("build", shared)] });
    await journal.record(event, [plannedRun(event, 0, shared)]);
    expect(await journal.getEvent(event.id)).toEqual(event);
    await journal.close();
    const db = new Database(path, { readonly: true });
    try {
      const row = db.prepare("SELECT traces FROM events WHERE id = ?").get(event.id) as {
        traces: string;
      };
      const runs = db.prepare("SELECT deliveries FROM runs WHERE event_id = ?").all(event.id) as {
        deliveries: string;
      }[];
      expect(row.traces).not.toContain("written-once");
      expect(runs.map((r) => r.deliveries).join("")).toContain("written-once");
    } finally {
      db.close();
    }
  });
});
