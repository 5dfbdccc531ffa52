import { randomUUID } from "node:crypto";
import type { CompiledConfig, CompiledListener } from "../config/compiled.js";
import { HooklineError } from "../errors/hookline-error.js";
import type { IncomingEvent } from "../core/incoming-event.js";
import type { SecretValues } from "../core/secret-values.js";
import type { SecretResolver } from "../interceptors/types.js";
import type { Logger } from "../core/logger.js";
import type { Journal, PlannedRun, StoredEvent } from "../store/types.js";
import { processEvent } from "./process-event.js";
import { keepsBody } from "./processed-event.js";
import { toMetadataEvent } from "./to-metadata-event.js";
import { toStoredEvent } from "./to-stored-event.js";
import type { EventAnswer } from "./types.js";

export interface ReplayDeps {
  config: CompiledConfig;
  secrets: SecretResolver;
  /** The secret values `secrets` handed out: redacted by value from what is stored. */
  secretValues?: SecretValues;
  log: Logger;
  deadlineMs: number;
  /** Where the new event is recorded; without one (a dry run), nothing is stored. */
  journal: Journal | undefined;
}

export interface ReplayResult {
  /** The new event, as recorded (or as it would be, in a dry run). */
  event: StoredEvent;
  /** Its planned deliveries (recorded with it). */
  runs: PlannedRun[];
  /** What a sender of this event would be answered now. */
  answer: EventAnswer;
  /**
   * The older runs of its concurrency groups the record superseded (RecordResult.superseded):
   * the replay is the newest event of its groups. Logged here; the admin port counts them in
   * hookline_runs_superseded_total, as the listener port does for a delivered event.
   */
  superseded: string[];
}

/**
 * Runs a stored event again — its raw body and headers, with timestamp windows measured from its
 * original receive time — through its listener and the config in force now (processEvent, as
 * serve does), as a new event that records what it replays and does not take the delivery id
 * again. What was redacted when the event was stored (token headers, query values, secret values)
 * stays redacted, so a token check fails on a replay. Delivering the runs is the caller's (the worker's deliverEvent).
 */
export async function replayEvent(original: StoredEvent, deps: ReplayDeps): Promise<ReplayResult> {
  if (original.body.kind !== "kept") {
    throw new HooklineError(
      "HL_EVENT_BODY_NOT_KEPT",
      `event ${original.id} was recorded without its body (no trigger authenticated it and it fired nothing), so it cannot be replayed; ask the sender to deliver it again`,
    );
  }
  const listener = findListener(deps.config, original.listener);
  const eventId = randomUUID();
  const incoming: IncomingEvent = {
    eventId,
    receivedAt: original.receivedAt,
    method: original.method,
    url: original.url,
    header: original.headers,
    rawBody: original.body.bytes,
    provider: original.provider,
    deliveryId: undefined,
  };
  const log = deps.log.child({ eventId, replayOf: original.id, listener: listener.name });
  // No rate limiter: an operator's replay (of a rate-limited event, say) takes no token and is
  // never rate limited.
  // The replay is a new event, received now: the newest of its concurrency groups.
  const receivedAt = new Date();
  const processed = await processEvent(
    { listener, event: incoming, deliveryIdOwner: undefined, recordedAt: receivedAt },
    { secrets: deps.secrets, log, deadlineMs: deps.deadlineMs },
  );
  // As serve records it: a replay nobody authenticated (a token redacted at storage) that fired
  // nothing keeps no body either.
  const recorded = keepsBody(processed)
    ? toStoredEvent(
        incoming,
        listener,
        processed.answer.status,
        processed.outcome,
        processed,
        deps.secretValues,
      )
    : toMetadataEvent(
        incoming,
        listener,
        processed.answer,
        processed.outcome,
        processed,
        deps.secretValues,
      );
  const event: StoredEvent = {
    ...recorded,
    receivedAt,
    replayOf: original.id,
  };
  const result = await deps.journal?.record(event, processed.runs);
  const superseded = result?.kind === "stored" ? (result.superseded ?? []) : [];
  if (superseded.length > 0)
    // As the listener path logs it (src/app.ts): the log names this event, and the runs of older ones.
    log.info("superseded runs of a concurrency group", {
      superseded: superseded.length,
      supersededBy: eventId,
      runs: superseded,
    });
  return { event, runs: processed.runs, answer: processed.answer, superseded };
}

function findListener(
  config: CompiledConfig,
  which: { namespace: string; name: string },
): CompiledListener {
  const listener = config.listeners.find(
    (l) => l.namespace === which.namespace && l.name === which.name,
  );
  if (listener === undefined) {
    throw new HooklineError(
      "HL_LISTENER_NOT_FOUND",
      `EventListener ${which.namespace}/${which.name} is not in the current config`,
    );
  }
  return listener;
}
