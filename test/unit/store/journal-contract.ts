import { createHash, randomUUID } from "node:crypto";
import { LABEL_GROUP_HASH, type ConcurrencyStrategy } from "../../../src/concurrency/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeliveryWorker } from "../../../src/delivery/delivery-worker.js";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import type { NotApplicableTrigger, TriggerTrace } from "../../../src/listener/types.js";
import type { CreatedResource, Sink } from "../../../src/sinks/types.js";
import type { RenderedResource } from "../../../src/templates/types.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import {
  listenerKey,
  type ClaimedRun,
  type EventOutcome,
  type EventSummary,
  type Journal,
  type PatchDelivery,
  type PlannedRun,
  type RunRecord,
  type StoredEvent,
} from "../../../src/store/types.js";
import { noGroupOps, noPatches } from "../../support/no-patches.js";

/**
 * The contract every Journal implementation passes (memory, SQLite, PostgreSQL). `make` must give
 * an empty journal each time; the suite closes it after each test, then calls `cleanup`.
 */
export function describeJournalContract(
  name: string,
  make: () => Promise<Journal>,
  cleanup?: (journal: Journal) => Promise<void>,
): void {
  describe(`Journal contract: ${name}`, () => {
    let journal: Journal;

    beforeEach(async () => {
      journal = await make();
    });

    afterEach(async () => {
      await journal.close();
      await cleanup?.(journal);
    });

    describe("record and read back", () => {
      it("returns the event as recorded: body bytes, headers, dates, traces", async () => {
        const event = makeEvent({
          deliveryId: randomUUID(),
          body: {
            kind: "kept",
            bytes: Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x0a, 0xe2, 0x82, 0xac, 0x7d]),
          },
          headers: {
            "X-Github-Event": ["push"],
            Accept: ["*/*", "application/json"],
            "Content-Type": ["application/json"],
            Authorization: ["[redacted]"],
          },
          traces: [
            firedTrace("build", [resource("pr-1")]),
            filteredTrace("lint"),
            failedTrace("deploy"),
            {
              ...rejectedTrace("sig"),
              group: "g1",
              extensions: { nested: { z: 1, a: [1, "two", null, true, 1.5] }, nul: "a\u0000b" },
              params: [{ name: "msg", value: 'emoji 🚀 and \u0000 and "quotes"', source: "body" }],
            },
            { ...timedOutTrace("slow"), via: "group" },
          ],
          replayOf: randomUUID(),
        });
        const planned = [plannedRun(event, 0, [resource("pr-1")])];
        await expect(journal.record(event, planned)).resolves.toEqual({ kind: "stored" });

        const back = await journal.getEvent(event.id);
        expect(back).toEqual(event);
        expect(back?.body.kind === "kept" && back.body.bytes).toBeInstanceOf(Buffer);
        expect(
          back?.body.kind === "kept" &&
            event.body.kind === "kept" &&
            back.body.bytes.equals(event.body.bytes),
        ).toBe(true);
        expect(back?.receivedAt).toBeInstanceOf(Date);
        expect(back?.receivedAt.getTime()).toBe(event.receivedAt.getTime());
        expect(back?.duplicateOf).toBeUndefined();
        // Key order is part of the value: headers are shown, and resources are written in order.
        expect(Object.keys(back?.headers ?? {})).toEqual(Object.keys(event.headers));
        const outcome = back?.traces[0]?.outcome;
        expect(outcome?.kind === "fired" && Object.keys(outcome.resources[0]?.body ?? {})).toEqual([
          "kind",
          "apiVersion",
          "metadata",
          "spec",
        ]);
      });

      it("keeps the triggers the event was not for apart, compact, and counts them in the list", async () => {
        const event = makeEvent({
          traces: [filteredTrace("ran")],
          notApplicable: [
            {
              trigger: "other-repo",
              ruledOutBy: {
                fact: "filter",
                seen: "acme/a",
                expected: ["acme/b"],
                subject: "body.repository.full_name",
              },
            },
            {
              trigger: "gitlab",
              ruledOutBy: {
                fact: "provider",
                seen: "github",
                expected: "gitlab",
                header: "X-Gitlab-Event",
              },
            },
          ],
        });
        await journal.record(event, []);
        expect(await journal.getEvent(event.id)).toEqual(event);
        const page = await journal.listEvents({ limit: 10, trigger: "other-repo" });
        expect(page.events.map((e) => [e.id, e.triggers, e.notApplicable])).toEqual([
          [event.id, [{ trigger: "ran", outcome: "filtered" }], 2],
        ]);
      });

      it("gives back many not-applicable triggers as recorded, in their order, and finds each by name", async () => {
        // As the dispatch index's buckets make them: one fact and value, each trigger its own
        // `expected`; among them, triggers ruled out by other facts (stored in other groups).
        const notApplicable: NotApplicableTrigger[] = [];
        for (let i = 0; i < 300; i++) {
          notApplicable.push({
            trigger: `repo-${i}`,
            ruledOutBy:
              i % 50 === 7
                ? { fact: "provider", seen: "github", expected: "gitlab", header: "X-Gitlab-Event" }
                : i % 50 === 9
                  ? {
                      fact: "eventType",
                      seen: "push",
                      expected: ["tag_push"],
                      header: "X-GitHub-Event",
                    }
                  : {
                      fact: "filter",
                      seen: "acme/hello",
                      expected: i === 11 ? ["acme/x", "acme/y"] : [`acme/repo-${i}`],
                      subject: "body.repository.full_name",
                    },
          });
        }
        const event = makeEvent({ traces: [filteredTrace("ran")], notApplicable });
        await journal.record(event, []);
        const back = await journal.getEvent(event.id);
        expect(back).toEqual(event);
        // Keys in the order the finders write them (the API's JSON answers are the same bytes).
        expect(JSON.stringify(back?.notApplicable)).toBe(JSON.stringify(notApplicable));
        for (const trigger of ["repo-0", "repo-7", "repo-9", "repo-299", "ran"]) {
          const page = await journal.listEvents({ limit: 10, trigger });
          expect(page.events.map((e) => [e.id, e.notApplicable])).toEqual([[event.id, 300]]);
        }
        const none = await journal.listEvents({ limit: 10, trigger: "repo-300" });
        expect(none.events).toEqual([]);
      });

      it("stores a not-applicable list once for the events that share it, and deletes it with the last", async () => {
        // As the dispatch index hands them out: the same (frozen) array for every event of a
        // bucket and value; an equal list built apart is the same set too.
        const list = (seen: string): NotApplicableTrigger[] =>
          Array.from({ length: 400 }, (_, i) => ({
            trigger: `repo-${i}`,
            ruledOutBy: {
              fact: "filter",
              seen,
              expected: [`acme/repo-${i}`],
              subject: "body.repository.full_name",
            },
          }));
        const shared = Object.freeze(list("acme/hello"));
        const empty = (await journal.storedBytes()).total;
        const first = makeEvent({ receivedAt: at(1000), traces: [], notApplicable: shared });
        await journal.record(first, []);
        const one = (await journal.storedBytes()).total - empty;
        const events = [first];
        for (const [i, notApplicable] of [shared, shared, list("acme/hello")].entries()) {
          const e = makeEvent({ receivedAt: at(2000 + i), traces: [], notApplicable });
          await journal.record(e, []);
          events.push(e);
        }
        const four = (await journal.storedBytes()).total - empty;
        // Each further event adds its row, not the list (~40 bytes a trigger): far under a copy.
        expect(four - one).toBeLessThan(one / 4);
        // Another value seen is another list, stored apart.
        const other = makeEvent({ receivedAt: at(3000), traces: [], notApplicable: list("x/y") });
        await journal.record(other, []);
        expect((await journal.storedBytes()).total - empty - four).toBeGreaterThan(one / 2);
        for (const e of [...events, other]) {
          const back = await journal.getEvent(e.id);
          expect(back).toEqual(e);
          expect(JSON.stringify(back?.notApplicable)).toBe(JSON.stringify(e.notApplicable));
        }
        const page = await journal.listEvents({ limit: 10, trigger: "repo-399" });
        expect(page.events.map((e) => [e.id, e.notApplicable])).toEqual(
          [...events, other].reverse().map((e) => [e.id, 400]),
        );
        await expect(journal.listEvents({ limit: 10, trigger: "repo-400" })).resolves.toEqual({
          events: [],
          next: undefined,
        });
        // Pruning the first keeps the set of the others; pruning all deletes every set.
        await expect(journal.prune(at(1500))).resolves.toBe(1);
        expect((await journal.getEvent(events[1]!.id))?.notApplicable).toEqual(shared);
        await expect(journal.prune(at(10_000))).resolves.toBe(4);
        expect((await journal.storedBytes()).total).toBe(empty);
        // Recorded again after its set went: the set is written again, not assumed there.
        const later = makeEvent({ receivedAt: at(20_000), traces: [], notApplicable: shared });
        await journal.record(later, []);
        expect(await journal.getEvent(later.id)).toEqual(later);
        expect((await journal.storedBytes()).total - empty).toBe(one);
      });

      it("gives back not-applicable triggers that all want the same, and one alone", async () => {
        const same: NotApplicableTrigger[] = ["a", "b", "c"].map((trigger) => ({
          trigger,
          ruledOutBy: {
            fact: "eventType",
            seen: "ping",
            expected: ["push"],
            header: "X-GitHub-Event",
          },
        }));
        const alone: NotApplicableTrigger[] = [
          {
            trigger: "plug",
            ruledOutBy: { fact: "interceptor", seen: "not a tag", interceptor: "tags" },
          },
        ];
        for (const notApplicable of [same, alone]) {
          const event = makeEvent({ traces: [], notApplicable });
          await journal.record(event, []);
          expect(await journal.getEvent(event.id)).toEqual(event);
        }
      });

      it("gives back a fired trace's resources whole when they are its run's deliveries", async () => {
        // As planRuns makes them: the trace and the run hold the same objects, which the SQL
        // journals store once, in the run (src/store/stored-traces.ts).
        const shared = [resource("one"), resource("two")];
        const event = makeEvent({
          traces: [filteredTrace("lint"), firedTrace("build", shared), firedTrace("other", [])],
        });
        await journal.record(event, [plannedRun(event, 1, shared)]);
        const back = await journal.getEvent(event.id);
        expect(back).toEqual(event);
        const outcome = back?.traces[1]?.outcome;
        expect(outcome?.kind === "fired" && Object.keys(outcome.resources[1]?.body ?? {})).toEqual([
          "kind",
          "apiVersion",
          "metadata",
          "spec",
        ]);
      });

      it("keeps an empty body and an event without a delivery id", async () => {
        const event = makeEvent({
          body: { kind: "kept", bytes: Buffer.alloc(0) },
          deliveryId: undefined,
          traces: [],
        });
        await journal.record(event, []);
        const back = await journal.getEvent(event.id);
        expect(back).toEqual(event);
        expect(back?.deliveryId).toBeUndefined();
        expect(back?.body.kind === "kept" && back.body.bytes.length).toBe(0);
      });

      it("keeps a metadata-only event's size, hash and reason, and no byte of its body", async () => {
        const event = makeEvent({
          body: {
            kind: "not-kept",
            size: 20 * 1024 * 1024,
            sha256: "ab".repeat(32),
            reason: "t: github: payload signature check failed",
          },
          url: "/listeners/default/github-listener",
          outcome: "rejected",
          status: 401,
          traces: [rejectedTrace("t")],
        });
        await journal.record(event, []);
        expect(await journal.getEvent(event.id)).toEqual(event);
        const page = await journal.listEvents({ limit: 10 });
        expect(page.events.find((e) => e.id === event.id)?.outcome).toBe("rejected");
      });

      it("answers undefined for an unknown event, [] for its runs", async () => {
        await expect(journal.getEvent(randomUUID())).resolves.toBeUndefined();
        await expect(journal.getRuns(randomUUID())).resolves.toEqual([]);
        await expect(journal.findDeliveryIdOwner("default/x", randomUUID())).resolves.toBe(
          undefined,
        );
      });

      it("creates the planned runs pending and due at the event's time", async () => {
        const event = makeEvent({
          traces: [firedTrace("a", [resource("one"), resource("two")]), firedTrace("b", [])],
        });
        const runA = plannedRun(event, 0, [resource("one"), resource("two")], "robot");
        const runB = plannedRun(event, 1, [resource("three")]);
        await journal.record(event, [runB, runA]);

        const runs = await journal.getRuns(event.id);
        expect(runs).toEqual([expectedNewRun(runA, event), expectedNewRun(runB, event)]);
        expect(runs[0]?.serviceAccountName).toBe("robot");
        expect(runs[1]?.serviceAccountName).toBeUndefined();
        await expect(journal.pendingStats(T0)).resolves.toEqual({
          pending: 2,
          oldestDueAt: event.receivedAt,
        });
      });

      it("keeps the event's trace context, on the event and on each of its runs, through a claim", async () => {
        const traceContext = {
          traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          tracestate: "vendor=value",
        };
        const event = makeEvent({ traces: [firedTrace("a", [resource("one")])], traceContext });
        const run = plannedRun(event, 0, [resource("one")]);
        const untraced = makeEvent({ traces: [firedTrace("a", [resource("two")])] });
        const other = plannedRun(untraced, 0, [resource("two")]);
        await journal.record(event, [run]);
        await journal.record(untraced, [other]);
        expect((await journal.getEvent(event.id))?.traceContext).toEqual(traceContext);
        expect((await journal.getEvent(untraced.id))?.traceContext).toBeUndefined();
        expect((await journal.getRuns(event.id))[0]?.traceContext).toEqual(traceContext);
        const claimed = await journal.claimDueRuns(at(10_000_000_000_000), 10, 60_000);
        expect(claimed.find((r) => r.id === run.id)?.traceContext).toEqual(traceContext);
        expect(claimed.find((r) => r.id === other.id)?.traceContext).toBeUndefined();
      });

      it("keeps each delivery's kind: the listener's CloudEvents after the triggers' runs", async () => {
        const event = makeEvent({ traces: [firedTrace("a", [resource("one")])] });
        const ce = plannedCloudEvents(event);
        const runA = plannedRun(event, 0, [resource("one")]);
        await journal.record(event, [ce, runA]);
        const runs = await journal.getRuns(event.id);
        expect(runs).toEqual([expectedNewRun(runA, event), expectedNewRun(ce, event)]);
        expect(runs[1]?.origin).toEqual({ kind: "listener" });
        expect(runs[1]?.deliveries.map((d) => d.kind)).toEqual([
          "cloudevent",
          "cloudevent",
          "cloudevent",
        ]);
      });

      it("keeps a Patch delivery (kind patch) and what the sink patched, through a save", async () => {
        const event = makeEvent({ traces: [firedTrace("a", [resource("one")])] });
        const run = plannedRun(event, 0, [resource("one")], "refresher");
        run.deliveries.push(PATCH_DELIVERY);
        await journal.record(event, [run]);
        expect(await journal.getRuns(event.id)).toEqual([expectedNewRun(run, event)]);
        const [claimed] = await journal.claimDueRuns(at(1000), 10, 60_000);
        if (claimed === undefined) throw new Error("a claimed run expected");
        const patched = {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          namespace: "argocd",
          name: "web",
          location: "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web",
        };
        claimed.state = "delivered";
        claimed.deliveries = claimed.deliveries.map((d) =>
          d.kind === "patch"
            ? { ...d, state: "delivered", attempts: [{ at: at(1000).toISOString() }], patched }
            : { ...d, state: "delivered", attempts: [{ at: at(1000).toISOString() }] },
        );
        await expect(journal.saveRun(claimed)).resolves.toEqual({ kind: "saved" });
        const [saved] = await journal.getRuns(event.id);
        expect(saved?.deliveries[1]).toEqual({
          ...PATCH_DELIVERY,
          state: "delivered",
          attempts: [{ at: at(1000).toISOString() }],
          patched,
        });
      });

      it("answers pendingStats with nothing pending", async () => {
        await expect(journal.pendingStats(T0)).resolves.toEqual({
          pending: 0,
          oldestDueAt: undefined,
        });
      });

      it("can be pinged", async () => {
        await expect(journal.ping()).resolves.toBe(true);
      });

      it("is ready to take events, before and after a record", async () => {
        await expect(journal.health()).resolves.toEqual({ ready: true });
        await recordFired(journal, { at: T0, runs: 1 });
        await expect(journal.health()).resolves.toEqual({ ready: true });
      });
    });

    describe("claims and leases", () => {
      it("gives each due run once; a second claim within the lease gets nothing", async () => {
        const { runs } = await recordFired(journal, { at: T0, runs: 3 });
        const claimed = await journal.claimDueRuns(at(1000), 10, 30_000);
        expect(claimed.map((r) => r.id).sort()).toEqual(runs.map((r) => r.id).sort());
        expect(claimed.map(unclaimed)).toEqual(
          expect.arrayContaining(await journal.getRuns(runs[0]!.eventId)),
        );
        for (const r of claimed) expect(r.claimToken).toEqual(expect.any(Number));
        await expect(journal.claimDueRuns(at(2000), 10, 30_000)).resolves.toEqual([]);
        await expect(journal.claimDueRuns(at(30_999), 10, 30_000)).resolves.toEqual([]);
      });

      it("claims again after the lease expired", async () => {
        const { runs } = await recordFired(journal, { at: T0, runs: 1 });
        expect(await journal.claimDueRuns(at(0), 10, 5000)).toHaveLength(1);
        const again = await journal.claimDueRuns(at(5000), 10, 5000);
        expect(again.map((r) => r.id)).toEqual([runs[0]?.id]);
      });

      it("claims the oldest due first, up to the limit, and not what is not due", async () => {
        const late = await recordFired(journal, { at: at(3000), runs: 1 });
        const early = await recordFired(journal, { at: at(1000), runs: 1 });
        const middle = await recordFired(journal, { at: at(2000), runs: 1 });
        const future = await recordFired(journal, { at: at(60_000), runs: 1 });

        const first = await journal.claimDueRuns(at(10_000), 2, 100_000);
        expect(first.map((r) => r.id)).toEqual([early.runs[0]?.id, middle.runs[0]?.id]);
        const second = await journal.claimDueRuns(at(10_000), 2, 100_000);
        expect(second.map((r) => r.id)).toEqual([late.runs[0]?.id]);
        // The three above are still leased at 60 s; the fourth is due then.
        const third = await journal.claimDueRuns(at(60_000), 10, 100_000);
        expect(third.map((r) => r.id)).toEqual([future.runs[0]?.id]);
      });

      it("gives concurrent claimers disjoint runs", async () => {
        const all: string[] = [];
        for (let i = 0; i < 10; i++)
          all.push(...(await recordFired(journal, { at: T0, runs: 2 })).runs.map((r) => r.id));
        const batches = await Promise.all(
          Array.from({ length: 5 }, () => journal.claimDueRuns(at(1000), 6, 30_000)),
        );
        const claimed = batches.flat().map((r) => r.id);
        expect(new Set(claimed).size).toBe(claimed.length);
        expect(claimed.sort()).toEqual(all.sort());
      });

      it("saveRun persists states and attempts, and releases the claim", async () => {
        const { event } = await recordFired(journal, { at: T0, runs: 1, resources: 2 });
        const [run] = await journal.claimDueRuns(at(1000), 10, 60_000);
        expect(run).toBeDefined();
        if (run === undefined) return;
        const [d0, d1] = run.deliveries;
        if (d0?.kind !== "resource" || d1 === undefined)
          throw new Error("two resource deliveries expected");

        const retried: ClaimedRun = {
          ...run,
          attempts: 1,
          firstAttemptAt: at(1000),
          nextAttemptAt: at(2000),
          lastError: "503 from the API \u0000 (twice)",
          deliveries: [
            {
              ...d0,
              state: "delivered",
              attempts: [{ at: at(1000).toISOString() }],
              created: {
                apiVersion: "tekton.dev/v1",
                kind: "PipelineRun",
                namespace: "ci",
                name: "pr-abc",
                location: "/apis/tekton.dev/v1/namespaces/ci/pipelineruns/pr-abc",
              },
            },
            {
              ...d1,
              state: "pending",
              attempts: [{ at: at(1000).toISOString(), error: "503", retryable: true }],
            },
          ],
        };
        await expect(journal.saveRun(retried)).resolves.toEqual({ kind: "saved" });
        await expect(journal.getRuns(event.id)).resolves.toEqual([unclaimed(retried)]);

        // Released: due again at 2 s although the claim at 1 s leased it for a minute.
        await expect(journal.claimDueRuns(at(1999), 10, 60_000)).resolves.toEqual([]);
        const reclaimed = await journal.claimDueRuns(at(2000), 10, 60_000);
        expect(reclaimed.map(unclaimed)).toEqual([unclaimed(retried)]);

        const done: ClaimedRun = {
          ...retried,
          claimToken: reclaimed[0]!.claimToken,
          state: "delivered",
          attempts: 2,
          lastError: undefined,
          deliveries: [
            retried.deliveries[0]!,
            { ...retried.deliveries[1]!, state: "delivered", attempts: [] },
          ],
        };
        await expect(journal.saveRun(done)).resolves.toEqual({ kind: "saved" });
        await expect(journal.getRuns(event.id)).resolves.toEqual([unclaimed(done)]);
        await expect(journal.claimDueRuns(at(999_999), 10, 60_000)).resolves.toEqual([]);
        await expect(journal.pendingStats(at(999_999))).resolves.toEqual({
          pending: 0,
          oldestDueAt: undefined,
        });
      });

      it("claims the due runs of one event only, leaving the others' runs", async () => {
        const other = await recordFired(journal, { at: T0, runs: 2 });
        const mine = await recordFired(journal, { at: at(1000), runs: 2 });
        const later = await recordFired(journal, { at: at(60_000), runs: 1 });
        const claimed = await journal.claimDueRunsOfEvent(mine.event.id, at(2000), 30_000);
        expect(claimed.map((r) => r.id).sort()).toEqual(mine.runs.map((r) => r.id).sort());
        // Claimed: a second claim of that event within the lease gets nothing.
        await expect(journal.claimDueRunsOfEvent(mine.event.id, at(3000), 30_000)).resolves.toEqual(
          [],
        );
        // Not due yet: nothing.
        await expect(
          journal.claimDueRunsOfEvent(later.event.id, at(3000), 30_000),
        ).resolves.toEqual([]);
        // The other event's runs were not claimed: a worker still gets them (and only them).
        const rest = await journal.claimDueRuns(at(3000), 10, 30_000);
        expect(rest.map((r) => r.id).sort()).toEqual(other.runs.map((r) => r.id).sort());
        await expect(journal.claimDueRunsOfEvent("no-such-event", at(3000), 1000)).resolves.toEqual(
          [],
        );
      });

      it("does not claim a run of the event that another claimer holds", async () => {
        const { event, runs } = await recordFired(journal, { at: T0, runs: 1 });
        expect(await journal.claimDueRuns(at(1000), 10, 30_000)).toHaveLength(1);
        await expect(journal.claimDueRunsOfEvent(event.id, at(2000), 30_000)).resolves.toEqual([]);
        const again = await journal.claimDueRunsOfEvent(event.id, at(31_000), 30_000);
        expect(again.map((r) => r.id)).toEqual([runs[0]?.id]);
      });

      it("does not claim runs that went to dead letter", async () => {
        const { event } = await recordFired(journal, { at: T0, runs: 1 });
        const [run] = await journal.claimDueRuns(at(0), 10, 1000);
        await journal.saveRun(deadRun(run));
        await expect(journal.claimDueRuns(at(999_999), 10, 1000)).resolves.toEqual([]);
        const [stored] = await journal.getRuns(event.id);
        expect(stored?.state).toBe("dead");
        expect(stored?.deliveries.map((d) => d.state)).toEqual(["dead"]);
      });
    });

    describe("fencing tokens", () => {
      it("refuses a save under a lapsed claim another worker took over, and keeps the newer result", async () => {
        const { event } = await recordFired(journal, { at: T0, runs: 1 });
        const [late] = await journal.claimDueRuns(at(0), 10, 1000);
        // The first claim's lease lapses; a second worker claims the run.
        const [current] = await journal.claimDueRuns(at(1000), 10, 1000);
        if (late === undefined || current === undefined) throw new Error("two claims expected");
        expect(current.claimToken).toBeGreaterThan(late.claimToken);

        // The late worker saves first: refused, and the second worker's claim still holds.
        await expect(journal.saveRun(deadRun(late))).resolves.toEqual({ kind: "claim-lost" });
        await expect(journal.claimDueRuns(at(1500), 10, 1000)).resolves.toEqual([]);
        const delivered: ClaimedRun = { ...current, state: "delivered", attempts: 1 };
        await expect(journal.saveRun(delivered)).resolves.toEqual({ kind: "saved" });
        // …and again after the second worker's save: still refused, the result kept.
        await expect(journal.saveRun(deadRun(late))).resolves.toEqual({ kind: "claim-lost" });
        await expect(journal.getRuns(event.id)).resolves.toEqual([unclaimed(delivered)]);
      });

      it("keeps a save whose lease lapsed when nobody claimed the run since", async () => {
        const { event } = await recordFired(journal, { at: T0, runs: 1 });
        const [run] = await journal.claimDueRuns(at(0), 10, 1000);
        if (run === undefined) throw new Error("a claim expected");
        const done: ClaimedRun = { ...run, state: "delivered", attempts: 1 };
        await expect(journal.saveRun(done)).resolves.toEqual({ kind: "saved" });
        await expect(journal.getRuns(event.id)).resolves.toEqual([unclaimed(done)]);
      });

      it("refuses a second save under one claim, and gives every claim a new token", async () => {
        const { event } = await recordFired(journal, { at: T0, runs: 1 });
        const [first] = await journal.claimDueRuns(at(0), 10, 60_000);
        if (first === undefined) throw new Error("a claim expected");
        const retry: ClaimedRun = { ...first, attempts: 1, nextAttemptAt: at(100) };
        await expect(journal.saveRun(retry)).resolves.toEqual({ kind: "saved" });
        await expect(journal.saveRun(deadRun(first))).resolves.toEqual({ kind: "claim-lost" });
        await expect(journal.getRuns(event.id)).resolves.toEqual([unclaimed(retry)]);

        const [second] = await journal.claimDueRuns(at(100), 10, 60_000);
        expect(second?.claimToken).toBeGreaterThan(first.claimToken);
      });

      it("lets exactly one of concurrent saves under one claim through", async () => {
        const { event } = await recordFired(journal, { at: T0, runs: 1 });
        const [run] = await journal.claimDueRuns(at(0), 10, 60_000);
        if (run === undefined) throw new Error("a claim expected");
        const saves = Array.from({ length: 6 }, (_, i) => ({ ...run, attempts: i + 1 }));
        const results = await Promise.all(saves.map((r) => journal.saveRun(r)));
        const won = results.flatMap((r, i) => (r.kind === "saved" ? [i] : []));
        expect(won).toHaveLength(1);
        expect(results.filter((r) => r.kind === "claim-lost")).toHaveLength(5);
        await expect(journal.getRuns(event.id)).resolves.toEqual([unclaimed(saves[won[0]!]!)]);
      });

      it("keeps the second worker's result when a worker's claim lapses mid-delivery", async () => {
        const { event } = await recordFired(journal, { at: T0, runs: 1, resources: 2 });
        // One sink both workers share, idempotent by name as the real sinks are by delivery key.
        // The first create of the second resource hangs until released, then fails (retryable).
        let release: () => void = () => {};
        let reached: () => void = () => {};
        const hung = new Promise<void>((resolve) => (release = resolve));
        const atHang = new Promise<void>((resolve) => (reached = resolve));
        const calls: string[] = [];
        const created = new Set<string>();
        const sink: Sink = {
          kind: "local",
          patch: noPatches,
          ...noGroupOps,
          async create(r: RenderedResource): Promise<CreatedResource> {
            const name = r.generateName ?? "";
            calls.push(name);
            if (name === "r1-" && calls.filter((c) => c === name).length === 1) {
              reached();
              await hung;
              throw new HooklineError("HL_SINK_WRITE_FAILED", "connection reset", {
                retryable: true,
              });
            }
            created.add(name);
            return {
              apiVersion: r.apiVersion,
              kind: r.kind,
              namespace: "ci",
              name,
              location: name,
            };
          },
        };
        let clock = 0;
        const now = (): Date => at(clock);
        const first = createCapturingLogger();
        const second = createCapturingLogger();
        const options = { journal, sink, now, leaseMs: 1000, backoff: { baseMs: 10, capMs: 10 } };
        const slow = createDeliveryWorker({ ...options, log: first.log });
        const fast = createDeliveryWorker({ ...options, log: second.log });

        const slowDone = slow.drain();
        await atHang;
        clock = 1000; // the slow worker's lease lapsed
        await fast.drain();
        const [kept] = await journal.getRuns(event.id);
        expect(kept?.state).toBe("delivered");

        release();
        await slowDone;
        // The slow worker's "retry later" did not overwrite the delivered run, nor was retried.
        await expect(journal.getRuns(event.id)).resolves.toEqual([kept]);
        expect(first.logs.entries).toContainEqual(
          expect.objectContaining({ level: "warn", run: kept?.id, state: "pending" }),
        );
        expect(first.logs.entries.map((e) => e["message"])).toContain(
          "lost the claim on the run: another worker took it over; result not saved",
        );
        clock = 1_000_000;
        await Promise.all([slow.drain(), fast.drain()]);
        expect(calls).toEqual(["r0-", "r1-", "r0-", "r1-"]);
        expect([...created]).toEqual(["r0-", "r1-"]);
        await expect(journal.getRuns(event.id)).resolves.toEqual([kept]);
      });
    });

    describe("delivery id dedup", () => {
      it("makes a redelivery of an event that fired a duplicate", async () => {
        const deliveryId = randomUUID();
        const { event: first } = await recordFired(journal, { deliveryId, runs: 1 });
        const second = makeEvent({
          deliveryId,
          outcome: "fired",
          traces: [firedTrace("t", [resource("x")])],
          receivedAt: at(5000),
        });
        await expect(journal.record(second, [plannedRun(second, 0, [])])).resolves.toEqual({
          kind: "duplicate",
          originalEventId: first.id,
        });
        await expect(journal.getEvent(second.id)).resolves.toEqual({
          ...second,
          outcome: "duplicate",
          status: 200,
          duplicateOf: first.id,
        });
        await expect(journal.getRuns(second.id)).resolves.toEqual([]);
        await expect(
          journal.findDeliveryIdOwner(listenerKey(first.listener), deliveryId),
        ).resolves.toEqual({ eventId: first.id, blocksRedelivery: true });

        // A third copy is a duplicate of the first one too, not of the second.
        const third = makeEvent({ deliveryId, receivedAt: at(6000) });
        await expect(journal.record(third, [])).resolves.toEqual({
          kind: "duplicate",
          originalEventId: first.id,
        });
        await expect(journal.pendingStats(T0)).resolves.toMatchObject({ pending: 1 });
      });

      it("treats an event that fired without runs as blocking", async () => {
        const deliveryId = randomUUID();
        const first = makeEvent({ deliveryId, outcome: "fired" });
        await journal.record(first, []);
        await expect(journal.record(makeEvent({ deliveryId }), [])).resolves.toEqual({
          kind: "duplicate",
          originalEventId: first.id,
        });
      });

      it("does not treat the same delivery id on another listener as a duplicate", async () => {
        const deliveryId = randomUUID();
        await recordFired(journal, { deliveryId, listener: { namespace: "ns", name: "a" } });
        const other = makeEvent({ deliveryId, listener: { namespace: "ns", name: "b" } });
        await expect(journal.record(other, [])).resolves.toEqual({ kind: "stored" });
        const otherNs = makeEvent({ deliveryId, listener: { namespace: "ns2", name: "a" } });
        await expect(journal.record(otherNs, [])).resolves.toEqual({ kind: "stored" });
        await expect(journal.findDeliveryIdOwner("ns/b", deliveryId)).resolves.toEqual({
          eventId: other.id,
          blocksRedelivery: false,
        });
      });

      it.each(["filtered", "rejected", "failed", "invalid"] as const)(
        "processes a redelivery after a %s event, which gives up the delivery id",
        async (outcome) => {
          const deliveryId = randomUUID();
          const first = makeEvent({ deliveryId, outcome, status: 202 });
          await expect(journal.record(first, [])).resolves.toEqual({ kind: "stored" });
          await expect(
            journal.findDeliveryIdOwner(listenerKey(first.listener), deliveryId),
          ).resolves.toEqual({ eventId: first.id, blocksRedelivery: false });

          const { event: second, result } = await recordFired(journal, {
            deliveryId,
            at: at(1000),
            runs: 1,
          });
          expect(result).toEqual({ kind: "stored" });
          await expect(
            journal.findDeliveryIdOwner(listenerKey(first.listener), deliveryId),
          ).resolves.toEqual({ eventId: second.id, blocksRedelivery: true });
          // The first one keeps showing the delivery id it was received with.
          await expect(journal.getEvent(first.id)).resolves.toEqual(first);
          const page = await journal.listEvents({ deliveryId, limit: 10 });
          expect(page.events.map((e) => e.id)).toEqual([second.id, first.id]);
        },
      );

      it("processes a redelivery after an event whose runs all went to dead letter", async () => {
        const deliveryId = randomUUID();
        const { event: first } = await recordFired(journal, { deliveryId, runs: 2 });
        const claimed = await journal.claimDueRuns(at(0), 10, 1000);
        expect(claimed).toHaveLength(2);
        await journal.saveRun(deadRun(claimed[0]));
        // One run still pending (or delivered): still blocks.
        await expect(
          journal.findDeliveryIdOwner(listenerKey(first.listener), deliveryId),
        ).resolves.toEqual({ eventId: first.id, blocksRedelivery: true });
        await journal.saveRun(deadRun(claimed[1]));
        await expect(
          journal.findDeliveryIdOwner(listenerKey(first.listener), deliveryId),
        ).resolves.toEqual({ eventId: first.id, blocksRedelivery: false });

        const { event: second, result } = await recordFired(journal, {
          deliveryId,
          at: at(1000),
          runs: 1,
        });
        expect(result).toEqual({ kind: "stored" });
        await expect(
          journal.findDeliveryIdOwner(listenerKey(first.listener), deliveryId),
        ).resolves.toEqual({ eventId: second.id, blocksRedelivery: true });
        await expect(journal.getRuns(second.id)).resolves.toHaveLength(1);
      });

      it("keeps blocking while a fired event's runs are delivered", async () => {
        const deliveryId = randomUUID();
        const { event: first } = await recordFired(journal, { deliveryId, runs: 1 });
        const [run] = await journal.claimDueRuns(at(0), 10, 1000);
        if (run === undefined) throw new Error("a run expected");
        await journal.saveRun({ ...run, state: "delivered", attempts: 1 });
        await expect(journal.record(makeEvent({ deliveryId }), [])).resolves.toEqual({
          kind: "duplicate",
          originalEventId: first.id,
        });
      });

      it("never makes an event without a delivery id a duplicate", async () => {
        await recordFired(journal, { deliveryId: undefined });
        const { result } = await recordFired(journal, { deliveryId: undefined });
        expect(result).toEqual({ kind: "stored" });
      });

      it("stores exactly one of 20 concurrent copies; the others are duplicates", async () => {
        const deliveryId = randomUUID();
        const copies = Array.from({ length: 20 }, (_, i) =>
          makeEvent({
            deliveryId,
            outcome: "fired",
            receivedAt: at(i),
            traces: [firedTrace("t", [resource("x")])],
          }),
        );
        const results = await Promise.all(
          copies.map((e) => journal.record(e, [plannedRun(e, 0, [resource("x")])])),
        );
        const stored = copies.filter((_, i) => results[i]?.kind === "stored");
        expect(stored).toHaveLength(1);
        const winner = stored[0]!;
        expect(results.filter((r) => r.kind === "duplicate")).toEqual(
          Array.from({ length: 19 }, () => ({ kind: "duplicate", originalEventId: winner.id })),
        );
        await expect(journal.pendingStats(T0)).resolves.toMatchObject({ pending: 1 });
        await expect(
          journal.findDeliveryIdOwner(listenerKey(winner.listener), deliveryId),
        ).resolves.toEqual({ eventId: winner.id, blocksRedelivery: true });
        const page = await journal.listEvents({ deliveryId, limit: 100 });
        expect(page.events).toHaveLength(20);
        expect(page.events.filter((e) => e.outcome === "duplicate")).toHaveLength(19);
      });

      it("stores all of 20 concurrent copies that fire nothing; one holds the id", async () => {
        const deliveryId = randomUUID();
        const copies = Array.from({ length: 20 }, (_, i) =>
          makeEvent({ deliveryId, outcome: "filtered", receivedAt: at(i) }),
        );
        const results = await Promise.all(copies.map((e) => journal.record(e, [])));
        expect(results).toEqual(copies.map(() => ({ kind: "stored" })));
        const owner = await journal.findDeliveryIdOwner(
          listenerKey(copies[0]!.listener),
          deliveryId,
        );
        expect(copies.map((c) => c.id)).toContain(owner?.eventId);
      });
    });

    describe("listEvents", () => {
      const l1 = { namespace: "ci", name: "github" };
      const l2 = { namespace: "ci", name: "gitlab" };

      /** 9 events over two listeners, newest first in `ordered`; three share one timestamp. */
      async function seed(): Promise<StoredEvent[]> {
        const specs: [number, typeof l1, EventOutcome, string[]][] = [
          [1000, l1, "fired", ["build"]],
          [2000, l2, "filtered", ["lint"]],
          [3000, l1, "fired", ["build", "lint"]],
          [3000, l1, "failed", ["deploy"]],
          [3000, l2, "rejected", ["build"]],
          [4000, l1, "invalid", []],
          [5000, l2, "fired", ["deploy"]],
          [6000, l1, "filtered", ["build"]],
          [7000, l2, "fired", ["build"]],
        ];
        const events: StoredEvent[] = [];
        for (const [ms, listener, outcome, triggers] of specs) {
          const event = makeEvent({
            listener,
            outcome,
            receivedAt: at(ms),
            deliveryId: randomUUID(),
            traces: triggers.map((t) =>
              outcome === "fired" ? firedTrace(t, []) : filteredTrace(t),
            ),
          });
          await journal.record(event, []);
          events.push(event);
        }
        return events.sort(newestFirst);
      }

      it("lists newest first, as summaries", async () => {
        const ordered = await seed();
        const page = await journal.listEvents({ limit: 100 });
        expect(page.next).toBeUndefined();
        expect(page.events.map((e) => e.id)).toEqual(ordered.map((e) => e.id));
        const first = ordered[0]!;
        expect(page.events[0]).toEqual({
          id: first.id,
          listener: first.listener,
          provider: first.provider,
          eventType: "push",
          deliveryId: first.deliveryId,
          receivedAt: first.receivedAt,
          status: first.status,
          outcome: first.outcome,
          triggers: [{ trigger: "build", outcome: "fired" }],
          notApplicable: 0,
        } satisfies EventSummary);
        expect(page.events.find((e) => e.outcome === "fired" && e.triggers.length === 2)).toEqual(
          expect.objectContaining({
            triggers: [
              { trigger: "build", outcome: "fired" },
              { trigger: "lint", outcome: "fired" },
            ],
          }),
        );
      });

      it("names each event's type from the header its provider sends, cut to a label", async () => {
        const typed = async (headers: Record<string, string[]>, at_: number): Promise<string> => {
          const event = makeEvent({ headers, receivedAt: at(at_) });
          await journal.record(event, []);
          return event.id;
        };
        const ids = [
          await typed({ "X-Gitlab-Event": ["Push Hook"] }, 1),
          await typed({ "X-Event-Key": ["repo:push"] }, 2),
          await typed({ "Content-Type": ["application/json"] }, 3),
          await typed({ "X-Github-Event": ["x".repeat(300)] }, 4),
          await typed({ "X-Github-Event": [""], "Ce-Type": ["com.example.built"] }, 5),
        ];
        const { events } = await journal.listEvents({ limit: 10 });
        const typeOf = (id: string | undefined): string | undefined =>
          events.find((e) => e.id === id)?.eventType;
        expect(ids.map(typeOf)).toEqual([
          "Push Hook",
          "repo:push",
          undefined,
          "x".repeat(100),
          "com.example.built",
        ]);
      });

      it("shows duplicates and replays in the summary", async () => {
        const deliveryId = randomUUID();
        const { event: original } = await recordFired(journal, { deliveryId });
        const dup = makeEvent({ deliveryId, receivedAt: at(1000) });
        await journal.record(dup, []);
        const replay = makeEvent({ receivedAt: at(2000), replayOf: original.id });
        await journal.record(replay, []);
        const { events } = await journal.listEvents({ limit: 10 });
        expect(events.map((e) => [e.id, e.outcome, e.duplicateOf, e.replayOf])).toEqual([
          [replay.id, "filtered", undefined, original.id],
          [dup.id, "duplicate", original.id, undefined],
          [original.id, "fired", undefined, undefined],
        ]);
        expect("duplicateOf" in events[2]!).toBe(false);
      });

      it("filters by listener, trigger, outcome, delivery id, since and until", async () => {
        const ordered = await seed();
        const list = async (filter: Omit<Parameters<Journal["listEvents"]>[0], "limit">) =>
          (await journal.listEvents({ ...filter, limit: 100 })).events.map((e) => e.id);
        const ids = (pick: (e: StoredEvent) => boolean) => ordered.filter(pick).map((e) => e.id);

        expect(await list({ listener: l1 })).toEqual(ids((e) => e.listener.name === "github"));
        expect(await list({ listener: { namespace: "other", name: "github" } })).toEqual([]);
        expect(await list({ trigger: "build" })).toEqual(
          ids((e) => e.traces.some((t) => t.trigger === "build")),
        );
        expect(await list({ trigger: "buil" })).toEqual([]);
        expect(await list({ outcome: "fired" })).toEqual(ids((e) => e.outcome === "fired"));
        const target = ordered[4]!;
        expect(await list({ deliveryId: target.deliveryId! })).toEqual([target.id]);
        expect(await list({ since: at(3000) })).toEqual(ids((e) => e.receivedAt >= at(3000)));
        expect(await list({ until: at(3000) })).toEqual(ids((e) => e.receivedAt < at(3000)));
        expect(await list({ since: at(2000), until: at(5000) })).toEqual(
          ids((e) => e.receivedAt >= at(2000) && e.receivedAt < at(5000)),
        );
        expect(
          await list({ listener: l1, trigger: "build", outcome: "fired", since: at(2000) }),
        ).toEqual(
          ids(
            (e) =>
              e.listener.name === "github" &&
              e.outcome === "fired" &&
              e.receivedAt >= at(2000) &&
              e.traces.some((t) => t.trigger === "build"),
          ),
        );
      });

      it("pages with a cursor, without overlap or gaps, across equal timestamps", async () => {
        const ordered = await seed();
        const seen: string[] = [];
        let cursor: string | undefined;
        const sizes: number[] = [];
        do {
          const page = await journal.listEvents({
            limit: 4,
            ...(cursor === undefined ? {} : { cursor }),
          });
          sizes.push(page.events.length);
          seen.push(...page.events.map((e) => e.id));
          cursor = page.next;
        } while (cursor !== undefined && sizes.length < 10);
        expect(sizes).toEqual([4, 4, 1]);
        expect(seen).toEqual(ordered.map((e) => e.id));
      });

      it("pages a filtered list; a full last page has no next", async () => {
        const ordered = await seed();
        const mine = ordered.filter((e) => e.listener.name === "github").map((e) => e.id);
        expect(mine).toHaveLength(5);
        const p1 = await journal.listEvents({ listener: l1, limit: 2 });
        const p2 = await journal.listEvents({ listener: l1, limit: 2, cursor: p1.next! });
        const p3 = await journal.listEvents({ listener: l1, limit: 2, cursor: p2.next! });
        expect([p1, p2, p3].flatMap((p) => p.events.map((e) => e.id))).toEqual(mine);
        expect(p3.next).toBeUndefined();
        expect(p3.events).toHaveLength(1);
        const exact = await journal.listEvents({ listener: l1, limit: 5 });
        expect(exact.events).toHaveLength(5);
        expect(exact.next).toBeUndefined();
      });
    });

    describe("countEvents", () => {
      it("counts events by outcome in each span, empty spans and range ends included", async () => {
        const other = { namespace: "ci", name: "other" };
        const seeded: [number, EventOutcome, typeof LISTENER][] = [
          [-1, "fired", LISTENER], // before the range
          [0, "fired", LISTENER], // the first instant of the first span
          [59_999, "filtered", LISTENER],
          [60_000, "fired", LISTENER],
          [60_500, "fired", LISTENER],
          [61_000, "rejected", other],
          [179_999, "invalid", LISTENER], // the last instant of the last span
          [180_000, "fired", LISTENER], // the end is not in the range
        ];
        for (const [ms, outcome, listener] of seeded)
          await journal.record(makeEvent({ receivedAt: at(ms), outcome, listener }), []);
        const query = { since: T0, bucketMs: 60_000, buckets: 3 };
        const all = await journal.countEvents(query);
        expect(all.map((b) => b.start)).toEqual([at(0), at(60_000), at(120_000)]);
        const nonZero = (counts: Record<string, number>): Record<string, number> =>
          Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
        expect(all.map((b) => nonZero(b.counts))).toEqual([
          { fired: 1, filtered: 1 },
          { fired: 2, rejected: 1 },
          { invalid: 1 },
        ]);
        expect(all[2]?.counts).toEqual(expect.objectContaining({ fired: 0, failed: 0 }));
        const mine = await journal.countEvents({ ...query, listener: other });
        expect(mine.map((b) => nonZero(b.counts))).toEqual([{}, { rejected: 1 }, {}]);
      });
    });

    describe("size and the filtered budget", () => {
      const filteredOf = (n: number, ms: number): StoredEvent =>
        makeEvent({
          receivedAt: at(ms),
          body: { kind: "kept", bytes: Buffer.alloc(n, 0x61) },
        });

      it("counts what it holds, and the filtered events' bodies apart", async () => {
        const empty = await journal.storedBytes();
        await journal.record(filteredOf(1000, 1), []);
        await journal.record(filteredOf(2000, 2), []);
        const fired = await recordFired(journal, { at: at(3), runs: 1 });
        const sizes = await journal.storedBytes();
        expect(sizes.filteredBodies - empty.filteredBodies).toBe(3000);
        // Everything counts towards the total: both bodies, the fired event and its run.
        expect(sizes.total - empty.total).toBeGreaterThan(3000);
        expect(fired.runs).toHaveLength(1);
      });

      it("evicts the oldest filtered events first, only as many as free the bytes asked", async () => {
        const oldest = filteredOf(1000, 10);
        const middle = filteredOf(1000, 20);
        const newest = filteredOf(1000, 30);
        for (const e of [newest, oldest, middle]) await journal.record(e, []);
        const fired = await recordFired(journal, { at: at(5), runs: 1 });
        const notKept = makeEvent({
          receivedAt: at(1),
          body: { kind: "not-kept", size: 5000, sha256: "0".repeat(64), reason: "x" },
        });
        await journal.record(notKept, []);

        await expect(journal.evictFiltered(1500)).resolves.toBe(2);
        await expect(journal.getEvent(oldest.id)).resolves.toBeUndefined();
        await expect(journal.getEvent(middle.id)).resolves.toBeUndefined();
        await expect(journal.getEvent(newest.id)).resolves.toEqual(newest);
        // Never an event that fired, nor a metadata-only row.
        await expect(journal.getEvent(fired.event.id)).resolves.toEqual(fired.event);
        await expect(journal.getEvent(notKept.id)).resolves.toEqual(notKept);
        await expect(journal.evictFiltered(0)).resolves.toBe(0);
        expect((await journal.storedBytes()).filteredBodies).toBe(1000);
        // The evicted event's delivery id is free again.
        await expect(
          journal.findDeliveryIdOwner(listenerKey(oldest.listener), oldest.deliveryId!),
        ).resolves.toBeUndefined();
      });
    });

    describe("supersede before creating (concurrency groups, issue 12)", () => {
      /** One event of a group, received at `ms` after T0, its run's resource labelled as planRuns does. */
      const recordGrouped = async (
        ms: number,
        strategy: ConcurrencyStrategy = "cancel-in-progress",
        group = "acme/web#42",
        namespace = "ci",
      ) => {
        const event = makeEvent({
          receivedAt: at(ms),
          outcome: "fired",
          traces: [firedTrace("pr", [resource("pr")])],
        });
        const run = groupedRun(event, group, strategy, namespace);
        const result = await journal.record(event, [run]);
        return { event, run, result };
      };
      const stateOf = async (r: { event: StoredEvent; run: PlannedRun }) =>
        (await journal.getRuns(r.event.id)).find((x) => x.id === r.run.id);

      it("10 records of one cancel-in-progress group: 9 superseded by the next, 1 pending", async () => {
        const recorded = [];
        for (let i = 0; i < 10; i++) recorded.push(await recordGrouped(i * 1000));
        // Each record supersedes the one before it (the only older one still pending).
        expect(recorded[0]?.result).toEqual({ kind: "stored" });
        for (let i = 1; i < 10; i++)
          expect(recorded[i]?.result).toEqual({
            kind: "stored",
            superseded: [recorded[i - 1]?.run.id],
          });
        for (let i = 0; i < 9; i++) {
          const run = await stateOf(recorded[i]!);
          expect(run?.state).toBe("superseded");
          expect(run?.supersededBy).toBe(recorded[i + 1]?.event.id);
          expect(run?.concurrency).toEqual(recorded[i]?.run.concurrency);
        }
        const last = await stateOf(recorded[9]!);
        expect(last?.state).toBe("pending");
        expect(last?.supersededBy).toBeUndefined();
        expect(last?.concurrency).toEqual(recorded[9]?.run.concurrency);
        // Never claimed; not pending; finished for prune; and the events fired all the same.
        const claimed = await journal.claimDueRuns(new Date(), 100, 60_000);
        expect(claimed.map((r) => r.id)).toEqual([recorded[9]?.run.id]);
        await journal.saveRun({ ...claimed[0]!, state: "delivered" });
        await expect(journal.pendingStats(new Date())).resolves.toEqual({
          pending: 0,
          oldestDueAt: undefined,
        });
        const page = await journal.listEvents({ limit: 20 });
        expect(page.events.map((e) => e.outcome)).toEqual(Array(10).fill("fired"));
        await expect(journal.prune(at(100_000))).resolves.toBe(10);
      });

      it("queue-latest supersedes as cancel-in-progress does; queue supersedes nothing", async () => {
        const a = await recordGrouped(0, "queue");
        const b = await recordGrouped(1000, "queue");
        expect(b.result).toEqual({ kind: "stored" });
        expect((await stateOf(a))?.state).toBe("pending");
        const other = await recordGrouped(0, "queue-latest", "acme/web#7");
        const newer = await recordGrouped(1000, "queue-latest", "acme/web#7");
        expect(newer.result).toEqual({ kind: "stored", superseded: [other.run.id] });
        await expect(journal.pendingStats(new Date())).resolves.toMatchObject({ pending: 3 });
      });

      it("leaves a claimed run alone, and one whose grouped resource is delivered", async () => {
        const claimedOne = await recordGrouped(0);
        const claimed = await journal.claimDueRuns(new Date(), 10, 600_000);
        expect(claimed.map((r) => r.id)).toEqual([claimedOne.run.id]);
        const b = await recordGrouped(1000);
        expect(b.result).toEqual({ kind: "stored" });
        expect((await stateOf(claimedOne))?.state).toBe("pending");

        // b's resource delivered, but the run still pending (its lease lapsed, a retry is due).
        const [mine] = await journal.claimDueRunsOfEvent(b.event.id, new Date(), 600_000);
        expect(mine?.id).toBe(b.run.id);
        await journal.saveRun({
          ...mine!,
          attempts: 1,
          deliveries: mine!.deliveries.map((d) => ({ ...d, state: "delivered" })),
        });
        const c = await recordGrouped(2000);
        expect(c.result).toEqual({ kind: "stored" });
        expect((await stateOf(b))?.state).toBe("pending");
      });

      it("supersedes a run whose lease lapsed, and its old claim can no longer save", async () => {
        const a = await recordGrouped(0);
        const [stale] = await journal.claimDueRuns(at(1000), 10, 1000);
        expect(stale?.id).toBe(a.run.id);
        const b = await recordGrouped(1000);
        expect(b.result).toEqual({ kind: "stored", superseded: [a.run.id] });
        await expect(journal.saveRun({ ...stale!, state: "delivered" })).resolves.toEqual({
          kind: "claim-lost",
        });
        expect((await stateOf(a))?.state).toBe("superseded");
      });

      it("touches no other group, nor the same key in another namespace", async () => {
        const a = await recordGrouped(0, "cancel-in-progress", "acme/web#1");
        const elsewhere = await recordGrouped(0, "cancel-in-progress", "acme/web#2", "prod");
        const b = await recordGrouped(1000, "cancel-in-progress", "acme/web#2");
        expect(b.result).toEqual({ kind: "stored" });
        expect((await stateOf(a))?.state).toBe("pending");
        expect((await stateOf(elsewhere))?.state).toBe("pending");
      });

      it("an older event recorded after a newer one is superseded at once, by the newer", async () => {
        const newer = await recordGrouped(5000);
        const late = await recordGrouped(1000);
        expect(late.result).toEqual({ kind: "stored", superseded: [late.run.id] });
        const run = await stateOf(late);
        expect(run?.state).toBe("superseded");
        expect(run?.supersededBy).toBe(newer.event.id);
        expect((await stateOf(newer))?.state).toBe("pending");
      });

      it("a redelivery of an event whose run was superseded is still a duplicate", async () => {
        const a = await recordGrouped(0);
        await recordGrouped(1000);
        const deliveryId = a.event.deliveryId ?? "";
        await expect(
          journal.findDeliveryIdOwner(listenerKey(a.event.listener), deliveryId),
        ).resolves.toEqual({ eventId: a.event.id, blocksRedelivery: true });
        const again = makeEvent({ deliveryId, outcome: "fired", receivedAt: at(2000) });
        await expect(journal.record(again, [])).resolves.toEqual({
          kind: "duplicate",
          originalEventId: a.event.id,
        });
      });

      it("lists the events of a group, by readable key or by group id", async () => {
        const a = await recordGrouped(0, "queue", "acme/web#1");
        const b = await recordGrouped(1000, "queue", "acme/web#1");
        await recordGrouped(2000, "queue", "acme/web#2");
        await journal.record(makeEvent({ receivedAt: at(3000) }), []);
        const ids = async (group: string) =>
          (await journal.listEvents({ limit: 10, group })).events.map((e) => e.id);
        await expect(ids("acme/web#1")).resolves.toEqual([b.event.id, a.event.id]);
        await expect(ids(a.run.concurrency?.groupId ?? "")).resolves.toEqual([
          b.event.id,
          a.event.id,
        ]);
        await expect(ids("acme/web")).resolves.toEqual([]);
      });
    });

    describe("prune", () => {
      it("deletes old finished events, keeps pending and recent ones", async () => {
        const oldFiltered = makeEvent({ receivedAt: at(1000), deliveryId: randomUUID() });
        await journal.record(oldFiltered, []);
        const oldDone = await recordFired(journal, { at: at(2000), runs: 2 });
        const oldPending = await recordFired(journal, { at: at(3000), runs: 2 });
        const recent = await recordFired(journal, { at: at(20_000), runs: 1 });
        const recentFiltered = makeEvent({ receivedAt: at(20_000) });
        await journal.record(recentFiltered, []);

        // oldDone: both runs finish (one delivered, one dead); oldPending: one of two finishes.
        const claimed = await journal.claimDueRuns(at(5000), 10, 1000);
        const byId = new Map(claimed.map((r) => [r.id, r]));
        const [d1, d2] = oldDone.runs.map((r) => byId.get(r.id));
        await journal.saveRun({ ...d1!, state: "delivered", attempts: 1 });
        await journal.saveRun(deadRun(d2));
        await journal.saveRun({ ...byId.get(oldPending.runs[0]!.id)!, state: "delivered" });

        await expect(journal.prune(at(10_000))).resolves.toBe(2);
        await expect(journal.getEvent(oldFiltered.id)).resolves.toBeUndefined();
        await expect(journal.getEvent(oldDone.event.id)).resolves.toBeUndefined();
        await expect(journal.getRuns(oldDone.event.id)).resolves.toEqual([]);
        await expect(journal.getEvent(oldPending.event.id)).resolves.toEqual(oldPending.event);
        await expect(journal.getRuns(oldPending.event.id)).resolves.toHaveLength(2);
        await expect(journal.getEvent(recent.event.id)).resolves.toEqual(recent.event);
        await expect(journal.getEvent(recentFiltered.id)).resolves.toEqual(recentFiltered);
        await expect(journal.pendingStats(at(10_000))).resolves.toEqual({
          pending: 2,
          oldestDueAt: at(3000),
        });
        const { events } = await journal.listEvents({ limit: 10 });
        expect(events.map((e) => e.id).sort()).toEqual(
          [oldPending.event.id, recent.event.id, recentFiltered.id].sort(),
        );
        await expect(journal.prune(at(10_000))).resolves.toBe(0);

        // The pruned event no longer holds its delivery id.
        await expect(
          journal.findDeliveryIdOwner(listenerKey(oldFiltered.listener), oldFiltered.deliveryId!),
        ).resolves.toBeUndefined();
        const again = makeEvent({ deliveryId: oldFiltered.deliveryId });
        await expect(journal.record(again, [])).resolves.toEqual({ kind: "stored" });
      });
    });

    describe("group runs (the group scheduler's starts)", () => {
      it("records a start on the queued run's event, once, and counts it while pending", async () => {
        const event = makeEvent({ traces: [firedTrace("build", [resource("pr-1")])] });
        await journal.record(event, [plannedRun(event, 0, [resource("pr-1")])]);
        const start = plannedStart(event, "ci/abc123", "org/repo#1 with spaces", "pr-1");
        await expect(journal.recordGroupRun(start, at(2000))).resolves.toBe("recorded");
        await expect(journal.recordGroupRun({ ...start }, at(3000))).resolves.toBe("exists");
        await expect(journal.pendingStartsOfGroup("ci/abc123")).resolves.toBe(1);
        await expect(journal.pendingStartsOfGroup("ci/abc12")).resolves.toBe(0);
        await expect(journal.pendingStartsOfGroup("other/abc123")).resolves.toBe(0);

        const runs = await journal.getRuns(event.id);
        expect(runs).toHaveLength(2);
        const back = runs.find((r) => r.id === start.id);
        expect(back?.origin).toEqual(start.origin);
        expect(back?.state).toBe("pending");
        expect(back?.deliveries).toEqual([
          { ...start.deliveries[0], state: "pending", attempts: [] },
        ]);
        // The trigger's run comes first on the event's page.
        expect(runs[0]?.origin.kind).toBe("trigger");

        // Delivered: no longer pending, and still never recorded again.
        const claimed = await journal.claimDueRuns(at(5000), 10, 60_000);
        const mine = claimed.find((r) => r.id === start.id);
        expect(mine).toBeDefined();
        await journal.saveRun({ ...mine!, state: "delivered" });
        await expect(journal.pendingStartsOfGroup("ci/abc123")).resolves.toBe(0);
        await expect(journal.recordGroupRun(start, at(6000))).resolves.toBe("exists");
      });

      it("records nothing for an event the journal does not hold", async () => {
        const missing = makeEvent();
        const start = plannedStart(missing, "ci/abc123", "g", "pr-1");
        await expect(journal.recordGroupRun(start, at(2000))).resolves.toBe("no-event");
        await expect(journal.pendingStartsOfGroup("ci/abc123")).resolves.toBe(0);
      });
    });
  });
}

// --- test events -------------------------------------------------------------------------------

export const T0 = new Date("2024-05-01T12:00:00.000Z");

/** A `hookline.dev/v1alpha1` Patch as planned: the Argo CD refresh of issue 15. */
const PATCH_DELIVERY: PatchDelivery = {
  kind: "patch",
  seq: 1,
  deliveryKey: "ev.0.1",
  patch: {
    target: {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      namespace: "argocd",
      name: "web",
    },
    type: "json",
    patch: [
      { op: "add", path: "/metadata/annotations/argocd.argoproj.io~1refresh", value: "normal" },
    ],
  },
};

export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

const LISTENER = { namespace: "default", name: "github-listener" };

export function makeEvent(over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id: randomUUID(),
    listener: LISTENER,
    provider: "github",
    deliveryId: randomUUID(),
    receivedAt: T0,
    method: "POST",
    url: "/listeners/default/github-listener?x=1",
    headers: { "Content-Type": ["application/json"], "X-Github-Event": ["push"] },
    body: { kind: "kept", bytes: Buffer.from('{"ref":"refs/heads/main"}') },
    status: 202,
    outcome: "filtered",
    traces: [filteredTrace("t")],
    ...over,
  };
}

export function resource(name: string): RenderedResource {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "PipelineRun",
    namespace: "ci",
    name: undefined,
    generateName: `${name}-`,
    body: {
      kind: "PipelineRun",
      apiVersion: "tekton.dev/v1",
      metadata: { generateName: `${name}-`, labels: { "hookline.dev/delivery-key": name } },
      spec: { params: [{ name: "revision", value: "abc\u0000" }], timeout: null, retries: 2 },
    },
  };
}

function baseTrace(trigger: string, outcome: TriggerTrace["outcome"]): TriggerTrace {
  return {
    trigger,
    namespace: "ci",
    triggerId: `ci/${trigger}`,
    via: "inline",
    interceptors: [
      { interceptor: "github", outcome: "continue", extensions: ["x"], durationMs: 0.25 },
    ],
    extensions: { x: { y: [1, 2] } },
    params: [{ name: "rev", value: "abc", source: "body.after" }],
    outcome,
    durationMs: 1.5,
  };
}

export function firedTrace(trigger: string, resources: RenderedResource[]): TriggerTrace {
  return baseTrace(trigger, { kind: "fired", resources });
}

export function filteredTrace(trigger: string): TriggerTrace {
  return baseTrace(trigger, {
    kind: "filtered",
    interceptor: "cel",
    code: "FAILED_PRECONDITION",
    message: "expression false",
  });
}

function rejectedTrace(trigger: string): TriggerTrace {
  return baseTrace(trigger, {
    kind: "rejected",
    interceptor: "github",
    code: "PERMISSION_DENIED",
    message: "signature mismatch",
  });
}

function failedTrace(trigger: string): TriggerTrace {
  return baseTrace(trigger, { kind: "failed", stage: "bindings", message: "no field" });
}

function timedOutTrace(trigger: string): TriggerTrace {
  return baseTrace(trigger, { kind: "timedOut", afterMs: 30_000 });
}

export function plannedRun(
  event: StoredEvent,
  traceIndex: number,
  resources: RenderedResource[],
  serviceAccountName?: string,
): PlannedRun {
  return {
    id: randomUUID(),
    eventId: event.id,
    origin: {
      kind: "trigger",
      traceIndex,
      trigger: event.traces[traceIndex]?.trigger ?? `t${traceIndex}`,
    },
    namespace: "ci",
    serviceAccountName,
    deliveries: resources.map((r, seq) => ({
      kind: "resource",
      seq,
      deliveryKey: randomUUID(),
      resource: r,
    })),
  };
}

/**
 * A trigger's run of a concurrency group, as planRuns plans it (issue 12): the resource labelled
 * with the group's hash, the run's order from the event's receivedAt and the delivery key.
 */
export function groupedRun(
  event: StoredEvent,
  group: string,
  strategy: ConcurrencyStrategy,
  namespace = "ci",
): PlannedRun {
  const run = plannedRun(event, 0, [resource("pr")]);
  const groupHash = createHash("sha256").update(group).digest("hex").slice(0, 40);
  const delivery = run.deliveries[0];
  if (delivery?.kind !== "resource") throw new Error("a resource delivery expected");
  const body = delivery.resource.body as { metadata: { labels: Record<string, string> } };
  body.metadata.labels[LABEL_GROUP_HASH] = groupHash;
  return {
    ...run,
    namespace,
    concurrency: {
      group,
      groupId: `${namespace}/${groupHash}`,
      groupHash,
      strategy,
      maxRunning: 1,
      maxKeepRuns: undefined,
      order: `${String(event.receivedAt.getTime()).padStart(13, "0")}.${delivery.deliveryKey}`,
      kind: "PipelineRun",
      apiVersion: "tekton.dev/v1",
      namespace,
    },
  };
}

/** The listener's own run: Tekton's lifecycle CloudEvents to its cloudEventURI. */
export function plannedCloudEvents(event: StoredEvent): PlannedRun {
  return {
    id: randomUUID(),
    eventId: event.id,
    origin: { kind: "listener" },
    namespace: "ci",
    serviceAccountName: undefined,
    deliveries: ["started", "successful", "done"].map((t, seq) => ({
      kind: "cloudevent",
      seq,
      deliveryKey: `${event.id}.ce.${seq}`,
      uri: "http://127.0.0.1:9/events",
      event: {
        id: `${event.id}-${t}`,
        type: `dev.tekton.event.triggers.${t}.v1`,
        source: "/apis/triggers.tekton.dev/v1beta1/namespaces/ci/eventlisteners/el",
        subject: `el processing ${event.id}`,
        data: { "X-Custom": ["yes \u0000"] },
      },
    })),
  };
}

function expectedNewRun(p: PlannedRun, event: StoredEvent): RunRecord {
  return {
    id: p.id,
    eventId: event.id,
    origin: p.origin,
    namespace: p.namespace,
    serviceAccountName: p.serviceAccountName,
    state: "pending",
    attempts: 0,
    firstAttemptAt: undefined,
    nextAttemptAt: event.receivedAt,
    lastError: undefined,
    deliveries: p.deliveries.map((d) => ({ ...d, state: "pending", attempts: [] })),
  };
}

/** Records an event that fired `runs` triggers, each planning `resources` resources. */
async function recordFired(
  journal: Journal,
  options: {
    deliveryId?: string | undefined;
    at?: Date;
    runs?: number;
    resources?: number;
    listener?: { namespace: string; name: string };
  } = {},
) {
  const count = options.runs ?? 1;
  const rendered = Array.from({ length: options.resources ?? 1 }, (_, i) => resource(`r${i}`));
  const event = makeEvent({
    deliveryId: "deliveryId" in options ? options.deliveryId : randomUUID(),
    receivedAt: options.at ?? T0,
    outcome: "fired",
    listener: options.listener ?? LISTENER,
    traces: Array.from({ length: count }, (_, i) => firedTrace(`trigger-${i}`, rendered)),
  });
  const runs = event.traces.map((_, i) => plannedRun(event, i, rendered));
  const result = await journal.record(event, runs);
  return { event, runs, result };
}

/** The run as getRuns shows it: without the claim's token. */
function unclaimed(run: ClaimedRun): RunRecord {
  const { claimToken: _token, ...rest } = run;
  return rest;
}

function deadRun(run: ClaimedRun | undefined): ClaimedRun {
  if (run === undefined) throw new Error("a claimed run expected");
  return {
    ...run,
    state: "dead",
    attempts: run.attempts + 1,
    lastError: "403 forbidden",
    deliveries: run.deliveries.map((d) => ({
      ...d,
      state: "dead",
      attempts: [...d.attempts, { at: T0.toISOString(), error: "403", retryable: false }],
    })),
  };
}

function newestFirst(a: StoredEvent, b: StoredEvent): number {
  return b.receivedAt.getTime() - a.receivedAt.getTime() || (a.id < b.id ? 1 : -1);
}

/** The group scheduler's start of a queued run, on the event that created it. */
export function plannedStart(
  event: StoredEvent,
  groupId: string,
  group: string,
  name: string,
): PlannedRun {
  return {
    id: `start.ci.${name}.${event.id}`,
    eventId: event.id,
    origin: { kind: "group", groupId, group },
    namespace: "ci",
    serviceAccountName: undefined,
    deliveries: [
      {
        kind: "start",
        seq: 0,
        deliveryKey: `start.ci.${name}`,
        target: { apiVersion: "tekton.dev/v1", kind: "PipelineRun", namespace: "ci", name },
      },
    ],
  };
}
