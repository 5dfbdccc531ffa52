import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { NotApplicableTrigger, RuledOutFact, TriggerTrace } from "../listener/types.js";
import type { UnauthenticatedDropReason } from "../listener/unauthenticated-quota.js";
import { ruledOutCounts } from "../listener/ruled-out-counts.js";
import type { Journal, StoredBytes } from "../store/types.js";

/**
 * What hookline counts. Label values are bounded: listener and trigger names come from the
 * config, outcomes and codes from fixed sets; no delivery id, event id or free text is a label.
 */
export interface Metrics {
  readonly registry: Registry;
  /** One received event, decided and answered. */
  eventAnswered(
    listener: string,
    outcome: string,
    status: number,
    seconds: number,
    traces: readonly TriggerTrace[],
    notApplicable?: readonly NotApplicableTrigger[],
  ): void;
  /**
   * A metadata-only journal row (a request nobody authenticated, that fired nothing) left out,
   * its quota spent: the listener's or the source address's for the window.
   */
  unauthenticatedDropped(listener: string, reason: UnauthenticatedDropReason): void;
  /**
   * Runs of a concurrency group superseded in the journal by a newer event of the group (issue
   * 12): never delivered.
   */
  runsSuperseded(listener: string, count: number): void;
  /**
   * Runs in the cluster (or the local sink's directory) a delivered cancel delivery cancelled: a
   * newer run of their group took their place (issue 12). The listener is that of the event whose
   * run held the cancel.
   */
  runsCancelled(listener: string, count: number): void;
  /** One resource handed to the sink: delivered, retried later, or dead. */
  deliveryAttempted(kind: string, outcome: "delivered" | "retry" | "dead"): void;
  configReloaded(ok: boolean): void;
  /**
   * A request refused at intake: `budget` (the body budget is spent), `source` (too many bodies
   * being received from its address), `too_large` (over --max-body), `too_complex` (JSON limits).
   */
  intakeRefused(reason: IntakeRefusal): void;
  /** The journal budget's last check: the sizes it read and the filtered events it evicted. */
  journalChecked(sizes: StoredBytes, evicted: number): void;
  /** `hookline_config_objects_invalid` reads `count` at each scrape (the cluster config source). */
  countInvalidConfigObjects(count: () => number): void;
  /** `hookline_delivery_in_flight` reads `count` at each scrape (the delivery worker's slots). */
  countDeliveriesInFlight(count: () => number): void;
  /**
   * The group scheduler's last look at a group: how many of its runs wait pending
   * (`hookline_runs_queued{namespace}`, the sum over the namespace's groups; a run in the cluster
   * does not say which listener made it, so the label is its namespace).
   */
  runsQueued(namespace: string, groupHash: string, pending: number): void;
}

export type IntakeRefusal = "budget" | "source" | "too_large" | "too_complex";

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(journal?: Journal): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "hookline_process_" });
  const queuedByGroup = new Map<string, { namespace: string; pending: number }>();
  const queued = new Gauge({
    name: "hookline_runs_queued",
    help: "Runs of concurrency groups waiting pending (queued), as the group scheduler last saw them, by namespace.",
    labelNames: ["namespace"],
    registers: [registry],
  });
  const events = new Counter({
    name: "hookline_events_total",
    help: "Events received, by listener and outcome.",
    labelNames: ["listener", "outcome"],
    registers: [registry],
  });
  const triggers = new Counter({
    name: "hookline_trigger_outcomes_total",
    help: "Trigger outcomes, by listener, trigger, outcome and reason code (a gRPC code, a hookline error code such as HL_SECRET_NOT_FOUND, the failing stage, or a rate limit's scope: trigger or listener).",
    labelNames: ["listener", "trigger", "outcome", "code"],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "hookline_rate_limited_total",
    help: "Triggers that would have fired but whose hookline.dev/rate-limit bucket (the Trigger's, or the EventListener's) was empty, by listener and trigger.",
    labelNames: ["listener", "trigger"],
    registers: [registry],
  });
  const notApplicableTriggers = new Counter({
    name: "hookline_triggers_not_applicable_total",
    help: "Triggers an event was not for (another event type or provider, a filter literal it cannot match), by listener and the fact that ruled them out; they are not in hookline_trigger_outcomes_total.",
    labelNames: ["listener", "fact"],
    registers: [registry],
  });
  const interceptorSeconds = new Histogram({
    name: "hookline_interceptor_duration_seconds",
    help: "Time one interceptor took on one event.",
    labelNames: ["interceptor", "outcome"],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const httpSeconds = new Histogram({
    name: "hookline_http_request_duration_seconds",
    help: "Listener port: time from request to answer.",
    labelNames: ["listener", "status"],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: "hookline_deliveries_total",
    help: "Deliveries (resources created by kind, Patch, HTTPRequest, CloudEvent), by outcome (delivered, retry, dead).",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });
  const unauthenticatedDropped = new Counter({
    name: "hookline_unauthenticated_dropped_total",
    help: "Metadata-only rows (requests nobody authenticated, that fired nothing) not journaled: their listener's or source address's quota for the window was spent.",
    labelNames: ["listener", "reason"],
    registers: [registry],
  });
  const superseded = new Counter({
    name: "hookline_runs_superseded_total",
    help: "Runs of a concurrency group superseded in the journal by a newer event of the group before they were delivered (cancel-in-progress, queue-latest), by listener.",
    labelNames: ["listener"],
    registers: [registry],
  });
  const cancelled = new Counter({
    name: "hookline_runs_cancelled_total",
    help: "Runs of a concurrency group (PipelineRuns, TaskRuns) cancelled by a newer run of the group (cancel-in-progress, queue-latest), by the listener of the event that cancelled them.",
    labelNames: ["listener"],
    registers: [registry],
  });
  const journalBytes = new Gauge({
    name: "hookline_journal_bytes",
    help: "What the journal holds, as of the last budget check: total, and the filtered events' bodies (bounded by HOOKLINE_JOURNAL_FILTERED_MAX).",
    labelNames: ["part"],
    registers: [registry],
  });
  const journalEvicted = new Counter({
    name: "hookline_journal_evicted_total",
    help: "Filtered events evicted from the journal, oldest first, to keep their bodies within their budget.",
    registers: [registry],
  });
  const reloads = new Counter({
    name: "hookline_config_reloads_total",
    help: "Config loads, by result.",
    labelNames: ["result"],
    registers: [registry],
  });
  const refused = new Counter({
    name: "hookline_intake_refused_total",
    help: "Listener requests refused at intake, by reason (budget, source, too_large, too_complex).",
    labelNames: ["reason"],
    registers: [registry],
  });
  if (journal !== undefined) {
    new Gauge({
      name: "hookline_delivery_queue_depth",
      help: "Deliveries (trigger runs) waiting in the journal.",
      registers: [registry],
      async collect() {
        this.set((await journal.pendingStats(new Date())).pending);
      },
    });
    new Gauge({
      name: "hookline_delivery_oldest_pending_seconds",
      help: "How long the oldest waiting delivery has been due.",
      registers: [registry],
      async collect() {
        const { oldestDueAt } = await journal.pendingStats(new Date());
        this.set(
          oldestDueAt === undefined ? 0 : Math.max(0, (Date.now() - oldestDueAt.getTime()) / 1000),
        );
      },
    });
  }
  // Tekton's EventListener metric names, so existing dashboards keep working.
  const tektonReceived = new Counter({
    name: "eventlistener_event_received_total",
    help: "Tekton: events received, by status.",
    labelNames: ["status"],
    registers: [registry],
  });
  const tektonResources = new Counter({
    name: "eventlistener_triggered_resources_total",
    help: "Tekton: resources created, by kind.",
    labelNames: ["kind"],
    registers: [registry],
  });
  const tektonHttp = new Histogram({
    name: "eventlistener_http_duration_seconds",
    help: "Tekton: listener request duration.",
    buckets: [0.001, 0.01, 0.1, 1, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    eventAnswered(listener, outcome, status, seconds, traces, notApplicable = []) {
      events.inc({ listener, outcome });
      httpSeconds.observe({ listener, status: String(status) }, seconds);
      tektonHttp.observe(seconds);
      tektonReceived.inc({ status: status < 300 ? "succeeded" : "failed" });
      // Not per trigger: one event can rule out a thousand triggers, and none of them ran.
      // The list is often one the dispatch index shares between events: counted once per array.
      const ruledOut = new Map<RuledOutFact, number>();
      for (const [fact, n] of Object.entries(ruledOutCounts(notApplicable).byFact))
        ruledOut.set(fact as RuledOutFact, n);
      for (const t of traces) {
        const o = t.outcome;
        if (o.kind === "not_applicable") {
          ruledOut.set(o.ruledOutBy.fact, (ruledOut.get(o.ruledOutBy.fact) ?? 0) + 1);
          continue;
        }
        const code =
          o.kind === "filtered" || o.kind === "rejected"
            ? o.code
            : o.kind === "failed"
              ? (o.code ?? o.stage)
              : o.kind === "rateLimited"
                ? o.scope
                : "";
        triggers.inc({ listener, trigger: t.trigger, outcome: o.kind, code });
        if (o.kind === "rateLimited") rateLimited.inc({ listener, trigger: t.trigger });
        for (const i of t.interceptors)
          interceptorSeconds.observe(
            { interceptor: i.interceptor, outcome: i.outcome },
            i.durationMs / 1000,
          );
      }
      for (const [fact, n] of ruledOut) notApplicableTriggers.inc({ listener, fact }, n);
    },
    unauthenticatedDropped(listener, reason) {
      unauthenticatedDropped.inc({ listener, reason });
    },
    runsSuperseded(listener, count) {
      if (count > 0) superseded.inc({ listener }, count);
    },
    runsCancelled(listener, count) {
      if (count > 0) cancelled.inc({ listener }, count);
    },
    deliveryAttempted(kind, outcome) {
      deliveries.inc({ kind, outcome });
      // Tekton's counter is of resources created: a Patch, an HTTP request, a group's cancel or
      // start (`PipelineRun cancellation`, `PipelineRun start`) creates nothing.
      if (
        outcome === "delivered" &&
        kind !== "Patch" &&
        kind !== "HTTPRequest" &&
        !kind.endsWith(" cancellation") &&
        !kind.endsWith(" start")
      )
        tektonResources.inc({ kind });
    },
    countInvalidConfigObjects(count) {
      new Gauge({
        name: "hookline_config_objects_invalid",
        help: "Objects read from the cluster that are left out for document errors of their own.",
        registers: [registry],
        collect() {
          this.set(count());
        },
      });
    },
    countDeliveriesInFlight(count) {
      new Gauge({
        name: "hookline_delivery_in_flight",
        help: "Trigger runs the delivery worker is delivering now (bounded by its concurrency).",
        registers: [registry],
        collect() {
          this.set(count());
        },
      });
    },
    intakeRefused(reason) {
      refused.inc({ reason });
    },
    runsQueued(namespace, groupHash, pending) {
      const key = `${namespace}/${groupHash}`;
      if (pending > 0) queuedByGroup.set(key, { namespace, pending });
      else queuedByGroup.delete(key);
      let sum = 0;
      for (const q of queuedByGroup.values()) if (q.namespace === namespace) sum += q.pending;
      queued.set({ namespace }, sum);
    },
    journalChecked(sizes, evicted) {
      journalBytes.set({ part: "total" }, sizes.total);
      journalBytes.set({ part: "filtered_bodies" }, sizes.filteredBodies);
      if (evicted > 0) journalEvicted.inc(evicted);
    },
    configReloaded(ok) {
      reloads.inc({ result: ok ? "success" : "failure" });
    },
  };
}
