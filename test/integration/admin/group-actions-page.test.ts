import request from "supertest";
import { describe, expect, it } from "vitest";
import { createAdminApp } from "../../../src/admin/create-admin-app.js";
import type { EventView } from "../../../src/admin/event-view.js";
import { createMetrics } from "../../../src/admin/metrics.js";
import { createPaint, eventTrace } from "../../../src/cli/event-text.js";
import type { GroupAddress, GroupRun, GroupRunStore } from "../../../src/concurrency/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import type { Journal, PlannedRun, StoredEvent } from "../../../src/store/types.js";
import {
  at,
  firedTrace,
  groupedRun,
  makeEvent,
  resource,
} from "../../unit/store/journal-contract.js";

/** A GroupRunStore holding what the test says the cluster holds. */
function fakeGroupRuns(runs: GroupRun[]): GroupRunStore & { lists: GroupAddress[] } {
  const lists: GroupAddress[] = [];
  return {
    lists,
    list: (group) => {
      lists.push(group);
      return Promise.resolve(runs);
    },
    delete: () => Promise.resolve(),
    watch: () => ({ stop: () => Promise.resolve() }),
  };
}

const groupRun = (order: string, phase: GroupRun["phase"], name: string): GroupRun => ({
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  namespace: "ci",
  name,
  order,
  phase,
  maxRunning: 1,
  maxKeepRuns: undefined,
});

/** Records the event's runs and marks each delivery delivered, as the worker would. */
async function deliverAll(
  journal: Journal,
  event: StoredEvent,
  runs: PlannedRun[],
  said: (d: PlannedRun["deliveries"][number]) => Record<string, unknown> = () => ({}),
): Promise<void> {
  await journal.record(event, runs);
  for (const claimed of await journal.claimDueRunsOfEvent(event.id, new Date(), 60_000)) {
    claimed.state = "delivered";
    claimed.deliveries = claimed.deliveries.map((d) => ({
      ...d,
      state: "delivered",
      attempts: [{ at: new Date().toISOString() }],
      ...said(d),
    }));
    expect((await journal.saveRun(claimed)).kind).toBe("saved");
  }
}

function admin(journal: Journal, groupRuns?: GroupRunStore) {
  return createAdminApp({
    journal,
    metrics: createMetrics(journal),
    log: createCapturingLogger().log,
    token: undefined,
    replay: () => Promise.reject(new Error("not here")),
    groupRuns,
  });
}

/** A grouped run planned as planRuns plans it: for queue*, the resource is created Pending. */
function queuedRun(event: StoredEvent, group: string): PlannedRun {
  const run = groupedRun(event, group, "queue");
  const d = run.deliveries[0];
  if (d?.kind !== "resource") throw new Error("a resource expected");
  (d.resource.body["spec"] as Record<string, unknown>)["status"] = "PipelineRunPending";
  return run;
}

/** A cancel-in-progress run: [cancel delivery, resource], as planRuns plans it. */
function cancellingRun(event: StoredEvent, group: string): PlannedRun {
  const run = groupedRun(event, group, "cancel-in-progress");
  const c = run.concurrency!;
  const r = run.deliveries[0]!;
  run.deliveries = [
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
  ];
  return run;
}

const event = (ms: number) =>
  makeEvent({
    receivedAt: at(ms),
    outcome: "fired",
    traces: [firedTrace("pr", [resource("pr")])],
  });

describe("a concurrency group's actions on the event page and in hookline events show", () => {
  it("says which runs a delivered cancel cancelled, or that there was nothing older", async () => {
    const journal = createMemoryJournal();
    const first = event(0);
    await deliverAll(journal, first, [cancellingRun(first, "acme/web#42")]);
    const second = event(1000);
    await deliverAll(journal, second, [cancellingRun(second, "acme/web#42")], (d) =>
      d.kind === "cancel"
        ? {
            cancelled: [
              { kind: "PipelineRun", namespace: "ci", name: "pr-a", location: "/a" },
              { kind: "PipelineRun", namespace: "ci", name: "pr-b", location: "/b" },
            ],
          }
        : {},
    );
    const app = admin(journal);

    const page = await request(app).get(`/ui/events/${second.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("cancelled PipelineRun pr-a, pr-b");
    const none = await request(app).get(`/ui/events/${first.id}`);
    expect(none.text).toContain("nothing older to cancel");

    const api = await request(app).get(`/api/v1/events/${second.id}`);
    const text = eventTrace(api.body as EventView, createPaint(false));
    expect(text).toContain("→ cancelled PipelineRun pr-a, pr-b  delivered");
  });

  it("shows a cancel not yet sent with its state", async () => {
    const journal = createMemoryJournal();
    const e = event(0);
    await journal.record(e, [cancellingRun(e, "acme/web#42")]);
    const page = await request(admin(journal)).get(`/ui/events/${e.id}`);
    expect(page.text).toContain("cancel the group&#39;s older PipelineRuns");
    expect(page.text).toMatch(/older PipelineRuns\s*<span class="badge pending">pending<\/span>/);
  });

  it("says a start started a queued run", async () => {
    const journal = createMemoryJournal();
    const e = event(0);
    const queued = queuedRun(e, "deploy/prod");
    await deliverAll(journal, e, [queued], () => ({
      created: {
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        namespace: "ci",
        name: "pr-x",
        location: "/x",
      },
    }));
    const c = queued.concurrency!;
    const start: PlannedRun = {
      id: "start-1",
      eventId: e.id,
      origin: { kind: "group", groupId: c.groupId, group: c.group },
      namespace: "ci",
      serviceAccountName: undefined,
      deliveries: [
        {
          kind: "start",
          seq: 0,
          deliveryKey: "start.ci.pr-x",
          target: { apiVersion: c.apiVersion, kind: "PipelineRun", namespace: "ci", name: "pr-x" },
        },
      ],
    };
    expect(await journal.recordGroupRun(start, new Date())).toBe("recorded");
    const app = admin(journal);
    const before = await request(app).get(`/ui/events/${e.id}`);
    expect(before.text).toMatch(/start PipelineRun pr-x \(queued\)\s*<span class="badge pending">/);

    const [claimed] = await journal.claimDueRunsOfEvent(e.id, new Date(), 60_000);
    expect(claimed?.id).toBe("start-1");
    claimed!.state = "delivered";
    claimed!.deliveries = claimed!.deliveries.map((d) =>
      d.kind === "start"
        ? {
            ...d,
            state: "delivered",
            started: { kind: "PipelineRun", namespace: "ci", name: "pr-x", location: "/x" },
          }
        : d,
    );
    expect((await journal.saveRun(claimed!)).kind).toBe("saved");
    const page = await request(app).get(`/ui/events/${e.id}`);
    expect(page.text).toContain("started PipelineRun pr-x (was queued)");
    const api = await request(app).get(`/api/v1/events/${e.id}`);
    expect(eventTrace(api.body as EventView, createPaint(false))).toContain(
      "→ started PipelineRun pr-x (was queued)  delivered",
    );
  });

  it("shows a queued run's place from the group's run store, or 'queued' without one", async () => {
    const journal = createMemoryJournal();
    const e = event(5000);
    const run = queuedRun(e, "deploy/prod");
    await deliverAll(journal, e, [run]);
    const order = run.concurrency!.order;
    const store = fakeGroupRuns([
      groupRun("0000000000001.a", "running", "pr-1"),
      groupRun("0000000000002.b", "pending", "pr-2"),
      groupRun("0000000000003.c", "pending", "pr-3"),
      groupRun(order, "pending", "pr-me"),
      groupRun("9999999999999.z", "pending", "pr-later"),
    ]);

    const page = await request(admin(journal, store)).get(`/ui/events/${e.id}`);
    expect(page.text).toContain("queued, 2 ahead");
    expect(store.lists).toEqual([
      {
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        namespace: "ci",
        groupHash: run.concurrency!.groupHash,
      },
    ]);
    const api = await request(admin(journal, store)).get(`/api/v1/events/${e.id}`);
    expect((api.body as EventView).triggers[0]?.delivery?.queued).toEqual({ ahead: 2 });
    expect(eventTrace(api.body as EventView, createPaint(false))).toContain("queued, 2 ahead");

    const without = await request(admin(journal)).get(`/ui/events/${e.id}`);
    expect(without.text).toContain(">queued<");
    expect(without.text).not.toContain("ahead");

    const started = fakeGroupRuns([groupRun(order, "running", "pr-me")]);
    const after = await request(admin(journal, started)).get(`/ui/events/${e.id}`);
    expect(after.text).not.toContain(">queued");
  });
});
