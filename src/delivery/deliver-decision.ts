import { describeError, HooklineError } from "../errors/hookline-error.js";
import type { EventDecision } from "../listener/types.js";
import type { Logger } from "../log/logger.js";
import type { Sink } from "../sinks/types.js";

/**
 * Hands each fired trigger's resources to the sink, as Tekton creates them: in template order, a
 * resource after the one before it, stopping at the first failure (earlier ones stay). Triggers
 * are delivered concurrently. Records what was created, or the error, in the decision.
 *
 * This is the spine's direct delivery; the journal and its retrying worker take its place later.
 */
export async function deliverDecision(
  decision: EventDecision,
  sink: Sink,
  log: Logger,
  serviceAccounts: ReadonlyMap<string, string | undefined>,
): Promise<void> {
  await Promise.all(
    decision.triggers.map(async (trace) => {
      const outcome = trace.outcome;
      if (outcome.kind !== "fired") return;
      const tlog = log.child({ trigger: trace.trigger });
      for (const resource of outcome.resources) {
        try {
          const created = await sink.create(resource, {
            serviceAccountName: serviceAccounts.get(trace.triggerId),
            log: tlog,
          });
          outcome.created.push(created);
          tlog.info("resource created", {
            kind: created.kind,
            namespace: created.namespace,
            name: created.name,
          });
        } catch (err) {
          const message = describeError(err);
          outcome.sinkError = message;
          const code = err instanceof HooklineError ? err.code : "HL_SINK_WRITE_FAILED";
          tlog.error("resource not created", {
            kind: resource.kind,
            namespace: resource.namespace,
            code,
            reason: message,
          });
          return;
        }
      }
    }),
  );
}
