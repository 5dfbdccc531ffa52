import { assertNever } from "../errors/assert-never.js";
import { describeError, HooklineError } from "../errors/hookline-error.js";
import type { Logger } from "../core/logger.js";
import type { Tracer } from "../core/span-parent.js";
import type { Metrics } from "../admin/metrics.js";
import { createCloudEventSink, type CloudEventSink } from "../cloudevents/cloudevent-sink.js";
import type { Sink } from "../sinks/types.js";
import type { ClaimedRun, Journal } from "../store/types.js";
import { DEFAULT_BACKOFF, nextDelayMs, type BackoffPolicy } from "./backoff.js";
import { deliveryLabel, sendDelivery, type DeliverySinks } from "./send-delivery.js";
import { startDeliverySpan } from "./start-delivery-span.js";

export interface WorkerOptions {
  journal: Journal;
  /** Where rendered resources are created (the configured `--sink`). */
  sink: Sink;
  /** Where CloudEvents to `cloudEventURI` go (default: POSTed over HTTP). */
  cloudEventSink?: CloudEventSink;
  log: Logger;
  /** How often to look for due runs when nothing woke the worker (default 250 ms). */
  pollMs?: number;
  /** Runs claimed at once (default 16). */
  batch?: number;
  /** How long a claim lasts before another worker may take the run (default 60 s). */
  leaseMs?: number;
  /** A run goes to dead letter after this many attempts (default 10)… */
  maxAttempts?: number;
  /** …or this long after its first attempt (default 24 h). */
  maxAgeMs?: number;
  backoff?: BackoffPolicy;
  now?: () => Date;
  /** Counts deliveries for /metrics. */
  metrics?: Pick<Metrics, "deliveryAttempted">;
  /** Makes a span per delivery attempt, in its event's trace; undefined: tracing is off. */
  tracer?: Tracer | undefined;
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
    cloudevent: options.cloudEventSink ?? createCloudEventSink(),
  };
  const now = options.now ?? (() => new Date());
  const pollMs = options.pollMs ?? 250;
  const batch = options.batch ?? 16;
  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;

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
  };

  /** One round: claim what is due and deliver it. Returns how many runs it handled. */
  const round = async (): Promise<number> =>
    deliverAll(await journal.claimDueRuns(now(), batch, leaseMs));

  const deliverAll = async (runs: readonly ClaimedRun[]): Promise<number> => {
    await Promise.all(
      runs.map((run) =>
        deliverRun(run).catch((err: unknown) => {
          // The journal could not save the outcome: the claim lapses and the run is tried again.
          log.error("could not record a delivery", { run: run.id, error: describeError(err) });
        }),
      ),
    );
    return runs.length;
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

  const run = async (): Promise<void> => {
    while (running) {
      let handled = 0;
      try {
        handled = await round();
      } catch (err) {
        log.error("delivery worker could not read the journal", { error: describeError(err) });
      }
      if (handled === 0 && running) await sleep();
      // Let the listener's requests in between rounds: with a synchronous journal and sink a
      // round never waits on I/O, and a backlog would otherwise hold the event loop.
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake() {
      if (wakeUp !== undefined) wakeUp();
      else woken = true;
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
  };
}
