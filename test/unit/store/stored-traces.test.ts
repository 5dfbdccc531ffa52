import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteJournal } from "../../../src/store/sqlite/sqlite-journal.js";
import { packTraces } from "../../../src/store/stored-traces.js";
import type { PlannedRun } from "../../../src/store/types.js";
import { firedTrace, groupedRun, makeEvent, plannedRun, resource } from "./journal-contract.js";

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

  it("are written once for a grouped run too: its cancel delivery is no entry of the trace", async () => {
    const path = join(dir, "grouped.db");
    const journal = createSqliteJournal({ path });
    const event = makeEvent({ traces: [firedTrace("pr", [resource("pr")])] });
    const run = withCancel(groupedRun(event, "acme/web#42", "cancel-in-progress"));
    const created = run.deliveries[1];
    if (created?.kind !== "resource") throw new Error("the resource expected after the cancel");
    // The trace shows the very object the run creates, as planRuns leaves them.
    const fired = event.traces[0]?.outcome;
    if (fired?.kind !== "fired") throw new Error("a fired trace expected");
    fired.resources[0] = created.resource;
    const labels = (created.resource.body["metadata"] as { labels: Record<string, string> }).labels;
    labels["marker"] = "grouped-once";
    await journal.record(event, [run]);
    expect(await journal.getEvent(event.id)).toEqual(event);
    await journal.close();
    const db = new Database(path, { readonly: true });
    try {
      const row = db.prepare("SELECT traces FROM events WHERE id = ?").get(event.id) as {
        traces: string;
      };
      expect(row.traces).not.toContain("grouped-once");
      expect(row.traces).toContain("resourcesInRun");
    } finally {
      db.close();
    }
  });

  it("are kept in the trace when its run creates other objects (no copy to point at)", () => {
    const event = makeEvent({ traces: [firedTrace("pr", [resource("pr")])] });
    const run = plannedRun(event, 0, [resource("other")]);
    expect(packTraces(event.traces, [run])).toEqual(event.traces);
  });
});

/** The run as planRuns plans a cancel-in-progress one: [cancel delivery, resource]. */
function withCancel(run: PlannedRun): PlannedRun {
  const c = run.concurrency!;
  const r = run.deliveries[0]!;
  return {
    ...run,
    deliveries: [
      {
        kind: "cancel",
        seq: 0,
        deliveryKey: `${r.deliveryKey}.cancel`,
        selector: {
          apiVersion: c.apiVersion,
          kind: c.kind,
          namespace: c.namespace,
          groupHash: c.groupHash,
          before: c.order,
          scope: "all",
          status: "Cancelled",
        },
      },
      { ...r, seq: 1 },
    ],
  };
}
