import type { CompiledConfig, CompiledListener } from "../config/compiled.js";
import type { DeliveryObserver } from "../delivery/delivery-worker.js";
import { deliveryLabel } from "../delivery/send-delivery.js";
import { HooklineError } from "../errors/hookline-error.js";
import type { Logger } from "../core/logger.js";
import type { ProcessedEvent } from "../listener/processed-event.js";
import type { Journal } from "../store/types.js";
import { createdNote, deadLetteredNote } from "./delivery-notes.js";
import { listenerNotes, listenerObject } from "./listener-notes.js";
import type { KubeEventRecorder } from "./types.js";

/** What the listener and the delivery worker tell; each call returns at once. */
export interface KubeEventReporter extends DeliveryObserver {
  /** An event was answered and journaled (not a duplicate). */
  answered(listener: CompiledListener, processed: ProcessedEvent): void;
}

export interface KubeEventReporterOptions {
  recorder: KubeEventRecorder;
  /** The dead-lettered run's EventListener is read from its event. */
  journal: Pick<Journal, "getEvent">;
  /** The config in force: the EventListener's uid. */
  config: () => CompiledConfig;
  /** Whether created resources are in the cluster (the Kubernetes sink), so get an Event each. */
  createdInCluster: boolean;
  log: Logger;
}

/**
 * Turns outcomes into Kubernetes Event notes for `kubectl describe`: rejected and failed triggers
 * and dead-lettered runs on the EventListener, created resources on themselves.
 */
export function createKubeEventReporter(options: KubeEventReporterOptions): KubeEventReporter {
  const { recorder, journal, log } = options;
  return {
    answered(listener, processed) {
      for (const note of listenerNotes(listener, processed.answer, processed.traces))
        recorder.record(note);
    },
    created(run, created) {
      if (!options.createdInCluster) return;
      const trigger = run.origin.kind === "trigger" ? run.origin.trigger : undefined;
      recorder.record(createdNote(created, { eventId: run.eventId, trigger }));
    },
    deadLettered(run, delivery, err) {
      const trigger = run.origin.kind === "trigger" ? run.origin.trigger : undefined;
      const details = err instanceof HooklineError ? err.details : {};
      const reason = details["reason"];
      const dead = {
        trigger,
        what: deliveryLabel(delivery),
        attempts: run.attempts,
        code: err instanceof HooklineError ? err.code : undefined,
        reason: typeof reason === "string" ? reason : undefined,
      };
      journal
        .getEvent(run.eventId)
        .then((event) => {
          if (event === undefined) return;
          const { namespace, name } = event.listener;
          const served = options
            .config()
            .listeners.find((l) => l.namespace === namespace && l.name === name);
          const uid = served?.uidKnown === true ? served.uid : undefined;
          recorder.record(deadLetteredNote(listenerObject({ namespace, name, uid }), dead));
        })
        .catch((readErr: unknown) => {
          // An Event is a courtesy: a journal that cannot be read now has bigger news elsewhere.
          log.debug("no Kubernetes Event for a dead-lettered run: its event could not be read", {
            error: (readErr as Error).message,
          });
        });
    },
  };
}
