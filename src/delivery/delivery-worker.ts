import { assertNever } from "../errors/assert-never.js";
import { describeError, HooklineError } from "../errors/hookline-error.js";
import type { Logger } from "../core/logger.js";
import type { Tracer } from "../core/span-parent.js";
import type { Metrics } from "../admin/metrics.js";
import { createCloudEventSink, type CloudEventSink } from "../cloudevents/cloudevent-sink.js";
import { createHttpRequestSink, type HttpRequestSink } from "../sinks/http/http-request-sink.js";
import type { CreatedResource, Sink } from "../sinks/types.js";
import { listenerKey } from "../core/listener-key.js";
import type { ClaimedRun, DeliveryRecord, Journal, RunRecord } from "../store/types.js";
import { DEFAULT_BACKOFF, nextDelayMs, type BackoffPolicy } from "./backoff.js";
import { deliveryLabel, sendDelivery, type DeliverySinks } from "./send-delivery.js";
import { startDeliverySpan } from "./start-delivery-span.js";

export interface WorkerOptions {
  journal: Journal;
  /** Where rendered resources are created (the configured `--sink`). */
  sink: Sink;
  /** Where CloudEvents to `cloudEventURI` go (default: POSTed over HTTP). */
  cloudEventSink?: CloudEventSink;
  /**
   * Where `HTTPRequest` deliveries go (default: a sink with no secrets and no allow-list, so an
   * entry with a secretRef header fails; serve and replay give theirs).
   */
  httpSink?: HttpRequestSink;
  log: Logger;
  /** How often to look for due runs when nothing woke the worker (default 250 ms). */
  pollMs?: number;
  /**
   * Runs in flight at most (default 64): a run whose sink call is slow holds one slot, and the
   * worker claims more as the others free theirs.
   */
  concurrency?: number;
  /**
   * Runs claimed in one turn of the event loop (default 64), or as many as the listener recorded
   * since the last claim (its wakes) when more: the worker's share of a turn follows intake's,
   * and the listener's requests are read between two claims.
   */
  batch?: number;
  /** How long a claim lasts before another worker may take the run (default 60 s). */
  leaseMs?: number;
  /** A run goes to dead letter after this many attempts (default 10)… */
  maxAttempts?: number;
  /** …or this long after its first attempt (default 24 h). */
  maxAgeMs?: number;
  backoff?: BackoffPolicy;
  now?: () => Date;
  /** Counts deliveries for /metrics, and reads the runs in flight at each scrape. */
  metrics?: Pick<Metrics, "deliveryAttempted"> &
    Partial<Pick<Metrics, "countDeliveriesInFlight" | "runsCancelled">>;
  /** Makes a span per delivery attempt, in its event's trace; undefined: tracing is off. */
  tracer?: Tracer | undefined;
  /** Told of each resource created and each run sent to dead letter (Kubernetes Events). */
  observer?: DeliveryObserver | undefined;
}

/** Hears what became of deliveries; each call returns at once and never throws. */
export interface DeliveryObserver {
  created(run: RunRecord, created: CreatedResource): void;
  /** A run was saved delivered, every delivery of it sent (the group scheduler's starts too). */
  delivered?(run: RunRecord): void;
  deadLettered(run: RunRecord, delivery: DeliveryRecord, error: unknown): void;
}

export interface DeliveryWorker {
  start(): void;
  /** Look for work now (the listener calls this after it records an event). */
  wake(): void;
  /** Works until no run is due; for tests. */
  drain(): Promise<void>;
  /**
   * Delivers the due runs of one event only, until none of them is due (a retry put back with
   * backoff is left for later); the runs of every other event are not touched. For `hookline
   * replay`, which delivers what it replayed and nothing else.
   */
  deliverEvent(eventId: string): Promise<void>;
  /** Finishes the runs in hand, then stops. */
  stop(): Promise<void>;
  /** Runs being delivered now (at most `concurrency`). */
  inFlight(): number;
}

/**
 * Carries journaled runs to the sink. A run's resources go in template order, each after the one
 * before it, as Tekton creates them. A retryable failure (connection refused, timeout, 429, 5xx)
 * puts the run back with exponential backoff and jitter, honouring Retry-After; a permanent one
 * (400, 403, 404, 422), or running out of attempts or time, sends it to dead letter with the last
 * error, the resources after it recorded as not attempted. Each resource carries its
 * `hookline.dev/delivery-key`, so a retry after an unknown outcome finds the earlier copy.
 */
export function createDeliveryWorker(options: WorkerOptions): DeliveryWorker {
  const { journal, log } = options;
  const sinks: DeliverySinks = {
    resource: options.sink,
    http: options.httpSink ?? createHttpRequestSink(),
    cloudevent: options.cloudEventSink ?? createCloudEventSink(),
  };
  const now = options.now ?? (() => new Date());
  const pollMs = options.pollMs ?? 250;
  const concurrency = Math.max(1, options.concurrency ?? 64);
  const batch = Math.max(1, options.batch ?? 64);
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  /** Wakes from the listener (one per event recorded) since the last claim. */
  let recorded = 0;
  /** The runs being delivered by the loop; each frees its slot when its outcome is saved. */
  const inHand = new Set<Promise<void>>();
  options.metrics?.countDeliveriesInFlight?.(() => inHand.size);

  /**
   * Saves the run under its claim. A refused save means the lease lapsed and another worker
   * claimed the run since: that worker owns its outcome now (and, with the delivery keys, finds
   * what this one created), so this result is dropped, not retried.
   */
  const save = async (run: ClaimedRun, rlog: Logger): Promise<void> => {
    const result = await journal.saveRun(run);
    switch (result.kind) {
      case "saved":
        return;
      case "claim-lost":
        rlog.warn("lost the claim on the run: another worker took it over; result not saved", {
          state: run.state,
          attempts: run.attempts,
          leaseMs,
        });
        return;
      default:
        assertNever(result);
    }
  };

  /**
   * hookline_runs_cancelled_total{listener}: the run knows its event, the event its listener
   * (read only for a cancel that cancelled something). A journal that cannot say leaves the
   * count out, logged: the delivery itself is done.
   */
  const countCancelled = async (run: ClaimedRun, count: number, rlog: Logger): Promise<void> => {
    const counter = options.metrics?.runsCancelled;
    if (counter === undefined) return;
    try {
      const event = await journal.getEvent(run.eventId);
      if (event !== undefined) counter(listenerKey(event.listener), count);
    } catch (err) {
      rlog.warn("could not count the cancelled runs", { reason: describeError(err) });
    }
  };

  const deliverRun = async (run: ClaimedRun): Promise<void> => {
    const at = now();
    run.attempts++;
    run.firstAttemptAt ??= at;
    const rlog = log.child({
      eventId: run.eventId,
      ...(run.origin.kind === "trigger" ? { trigger: run.origin.trigger } : {}),
      run: run.id,
    });
    for (const d of run.deliveries) {
      if (d.state !== "pending") continue;
      const span =
        options.tracer === undefined ? undefined : startDeliverySpan(options.tracer, run, d);
      try {
        const done = await sendDelivery(
          d,
          sinks,
          {
            serviceAccountName: run.serviceAccountName,
            triggerNamespace: run.namespace,
            log: rlog,
            trace: span?.started.child,
          },
          span?.carrier,
        );
        span?.end("delivered", undefined);
        d.state = "delivered";
        d.attempts.push({ at: now().toISOString() });
        options.metrics?.deliveryAttempted(deliveryLabel(d), "delivered");
        rlog.info(done.message, done.fields);
        if (d.kind === "cancel" && (d.cancelled?.length ?? 0) > 0)
          await countCancelled(run, d.cancelled?.length ?? 0, rlog);
        if (d.kind === "resource" && d.created !== undefined)
          options.observer?.created(run, d.created);
      } catch (err) {
        const message = describeError(err);
        const retryable = err instanceof HooklineError ? err.details["retryable"] !== false : true;
        const retryAfterMs =
          err instanceof HooklineError && typeof err.details["retryAfterMs"] === "number"
            ? err.details["retryAfterMs"]
            : undefined;
        d.attempts.push({ at: now().toISOString(), error: message, retryable });
        run.lastError = message;
        const exhausted =
          run.attempts >= maxAttempts || now().getTime() - run.firstAttemptAt.getTime() >= maxAgeMs;
        options.metrics?.deliveryAttempted(
          deliveryLabel(d),
          !retryable || exhausted ? "dead" : "retry",
        );
        span?.end(!retryable || exhausted ? "dead" : "retry", err);
        if (!retryable || exhausted) {
          d.state = "dead";
          for (const rest of run.deliveries)
            if (rest.state === "pending") rest.state = "not_attempted";
          run.state = "dead";
          rlog.error("delivery failed for good", {
            kind: deliveryLabel(d),
            attempts: run.attempts,
            retryable,
            reason: message,
          });
          options.observer?.deadLettered(run, d, err);
        } else {
          run.nextAttemptAt = new Date(
            now().getTime() + nextDelayMs(run.attempts, backoff, retryAfterMs),
          );
          rlog.warn("delivery will be retried", {
            kind: deliveryLabel(d),
            attempts: run.attempts,
            nextAttemptAt: run.nextAttemptAt.toISOString(),
            reason: message,
          });
        }
        await save(run, rlog);
        return;
      }
    }
    run.state = "delivered";
    run.lastError = undefined;
    await save(run, rlog);
    options.observer?.delivered?.(run);
  };

  const deliverSafely = (run: ClaimedRun): Promise<void> =>
    deliverRun(run).catch((err: unknown) => {
      // The journal could not save the outcome: the claim lapses and the run is tried again.
      log.error("could not record a delivery", { run: run.id, error: describeError(err) });
    });

  /** One round for `drain`: claim what is due and deliver it. Returns how many runs it handled. */
  const round = async (): Promise<number> =>
    deliverAll(await journal.claimDueRuns(now(), batch, leaseMs));

  const deliverAll = async (runs: readonly ClaimedRun[]): Promise<number> => {
    await Promise.all(runs.map(deliverSafely));
    return runs.length;
  };

  /** Delivers a run in a slot of its own; the loop is nudged when the slot is free again. */
  const startRun = (run: ClaimedRun): void => {
    const delivering: Promise<void> = deliverSafely(run).finally(() => {
      inHand.delete(delivering);
      nudge();
    });
    inHand.add(delivering);
  };

  /** Something may have changed for the loop: a wake, a free slot, a stop. */
  const nudge = (): void => {
    if (wakeUp !== undefined) wakeUp();
    else woken = true;
  };

  const sleep = (): Promise<void> =>
    new Promise((resolve) => {
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        wakeUp = undefined;
        resolve();
      }, pollMs);
      wakeUp = () => {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      };
    });

  /**
   * The loop: claims as many due runs as there are free slots (at most `batch` in one turn of
   * the event loop, or the events recorded since the last claim when more), starts each without
   * waiting for it, and claims again on the next turn, or when a slot frees or the listener wakes
   * it. No run waits for another's sink call.
   */
  const run = async (): Promise<void> => {
    while (running) {
      const free = concurrency - inHand.size;
      let claimed = 0;
      if (free > 0) {
        // At least as many as the listener recorded since the last claim: at 100 connections a
        // turn records ~100 events, and 64 a turn let the backlog grow by a few hundred a second.
        const want = Math.min(free, Math.max(batch, recorded));
        recorded = 0;
        try {
          const runs = await journal.claimDueRuns(now(), want, leaseMs);
          for (const r of runs) startRun(r);
          claimed = runs.length;
        } catch (err) {
          log.error("delivery worker could not read the journal", { error: describeError(err) });
        }
      }
      if (!running) break;
      // Nothing due, or every slot taken: wait for a wake, a free slot or the poll.
      if (claimed === 0 || inHand.size >= concurrency) await sleep();
      // Let the listener's requests in before the next claim: with a synchronous journal and
      // sink a claimed run never waits on I/O, and a backlog would otherwise hold the loop.
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(inHand);
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake() {
      recorded++;
      nudge();
    },
    async drain() {
      while ((await round()) > 0) {
        // Keep going while runs come due.
      }
    },
    async deliverEvent(eventId) {
      while ((await deliverAll(await journal.claimDueRunsOfEvent(eventId, now(), leaseMs))) > 0) {
        // Keep going while this event's runs come due.
      }
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
    },
    inFlight: () => inHand.size,
  };
}
