import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAdmin, type TestAdmin } from "../../support/test-admin.js";
import { EXAMPLE_CONFIG } from "../../support/fixtures.js";
import {
  at,
  firedTrace,
  groupedRun,
  makeEvent,
  resource,
} from "../../unit/store/journal-contract.js";

/**
 * Issue 12 on the admin port: the events of a concurrency group listed by its key or its id (API
 * and page), and a superseded run shown as "superseded by event …", linked, with its group and
 * strategy.
 */
describe("concurrency groups on the admin port", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  const recordGrouped = async (ms: number, group: string) => {
    const event = makeEvent({
      receivedAt: at(ms),
      outcome: "fired",
      traces: [firedTrace("pr", [resource("pr")])],
    });
    const run = groupedRun(event, group, "cancel-in-progress");
    await t!.app.journal.record(event, [run]);
    return { event, run };
  };

  it("lists a group's events, and shows the superseded run with the event that took its place", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const older = await recordGrouped(0, "acme/web#42");
    const newer = await recordGrouped(1000, "acme/web#42");
    const other = await recordGrouped(2000, "acme/web#7");

    const ids = async (group: string): Promise<string[]> => {
      const res = await request(t!.admin).get(`/api/v1/events?group=${encodeURIComponent(group)}`);
      expect(res.status).toBe(200);
      return (res.body as { events: { id: string }[] }).events.map((e) => e.id);
    };
    expect(await ids("acme/web#42")).toEqual([newer.event.id, older.event.id]);
    expect(await ids(older.run.concurrency?.groupId ?? "")).toEqual([
      newer.event.id,
      older.event.id,
    ]);

    const view = await request(t.admin).get(`/api/v1/events/${older.event.id}`);
    expect(view.status).toBe(200);
    const delivery = (
      view.body as {
        triggers: { delivery: { state: string; supersededBy: string; concurrency: unknown } }[];
      }
    ).triggers[0]?.delivery;
    expect(delivery).toMatchObject({
      state: "superseded",
      supersededBy: newer.event.id,
      concurrency: {
        group: "acme/web#42",
        groupId: older.run.concurrency?.groupId,
        strategy: "cancel-in-progress",
      },
    });

    const page = await request(t.admin).get(`/ui/events/${older.event.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(
      `Superseded by event <a href="/ui/events/${newer.event.id}">${newer.event.id}</a>`,
    );
    expect(page.text).toContain("<code>acme/web#42</code>");
    expect(page.text).toContain("cancel-in-progress");
    const newest = await request(t.admin).get(`/ui/events/${newer.event.id}`);
    expect(newest.text).not.toContain("Superseded by event");

    const list = await request(t.admin).get("/ui/?group=acme%2Fweb%2342");
    expect(list.status).toBe(200);
    expect(list.text).toContain('name="group"');
    expect(list.text).toContain('value="acme/web#42"');
    expect(list.text).toContain(`/ui/events/${older.event.id}`);
    expect(list.text).not.toContain(`/ui/events/${other.event.id}`);
  });
});
