import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import { describeJournalContract } from "./journal-contract.js";

describeJournalContract("memory", () => Promise.resolve(createMemoryJournal()));

describe("the memory journal's bound", () => {
  it("drops the oldest finished events past maxEvents, never a pending one", async () => {
    const journal = createMemoryJournal({ maxEvents: 3 });
    const event = (id: string): Parameters<typeof journal.record>[0] => ({
      id,
      listener: { namespace: "default", name: "el" },
      provider: "generic",
      deliveryId: `d-${id}`,
      receivedAt: new Date(),
      method: "POST",
      url: "/",
      headers: {},
      body: { kind: "kept", bytes: Buffer.from("{}") },
      status: 202,
      outcome: "fired",
      traces: [],
    });
    // The first event has a pending run: it must stay however many come after it.
    await journal.record(event("e0"), [
      {
        id: randomUUID(),
        eventId: "e0",
        origin: { kind: "trigger", traceIndex: 0, trigger: "t" },
        namespace: "default",
        serviceAccountName: undefined,
        deliveries: [],
      },
    ]);
    for (const id of ["e1", "e2", "e3", "e4"]) await journal.record(event(id), []);
    const kept = (await journal.listEvents({ limit: 10 })).events.map((e) => e.id).sort();
    expect(kept).toEqual(["e0", "e3", "e4"]);
    expect(await journal.findDeliveryIdOwner("default/el", "d-e1")).toBeUndefined();
  });
});
