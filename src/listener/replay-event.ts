import { randomUUID } from "node:crypto";
import type { CompiledConfig, CompiledListener } from "../config/compiled.js";
import { HooklineError } from "../errors/hookline-error.js";
import type { IncomingEvent } from "../intake/types.js";
import { validatePayload } from "../intake/validate-payload.js";
import type { SecretResolver } from "../interceptors/types.js";
import type { Logger } from "../log/logger.js";
import type { Journal, PlannedRun, StoredEvent } from "../store/types.js";
import { decideEvent } from "./decide-event.js";
import { memoJSON } from "../intake/memo-json.js";
import { prepareEvent } from "./prepare-event.js";
import { eventOutcome, planRuns } from "./plan-runs.js";
import { toStoredEvent } from "./to-stored-event.js";
import { serviceAccountsOf } from "./service-accounts.js";
import type { EventDecision } from "./types.js";

export interface ReplayDeps {
  config: CompiledConfig;
  secrets: SecretResolver;
  log: Logger;
  deadlineMs: number;
  /** Where the new event is recorded; without one (a dry run), nothing is stored. */
  journal: Journal | undefined;
}

export interface ReplayResult {
  event: StoredEvent;
  decision: EventDecision | undefined;
  runs: PlannedRun[];
}

/**
 * Runs a stored event again — its raw body and headers, with timestamp windows measured from its
 * original receive time — through its listener and the config in force now, as a new event that
 * records what it replays and does not take the delivery id again. Headers that were redacted
 * when the event was stored (tokens) stay redacted, so a token check fails on a replay.
 */
export async function replayEvent(original: StoredEvent, deps: ReplayDeps): Promise<ReplayResult> {
  const listener = findListener(deps.config, original.listener);
  const eventId = randomUUID();
  const incoming: IncomingEvent = {
    eventId,
    receivedAt: original.receivedAt,
    method: original.method,
    url: original.url,
    header: original.headers,
    rawBody: original.body,
    provider: original.provider,
    deliveryId: undefined,
  };
  const log = deps.log.child({ eventId, replayOf: original.id, listener: listener.name });
  const stored = (
    status: number,
    outcome: StoredEvent["outcome"],
    traces: StoredEvent["traces"],
  ): StoredEvent => ({
    ...toStoredEvent(incoming, listener, status, outcome, traces),
    receivedAt: new Date(),
    replayOf: original.id,
  });
  const bodyJSON = memoJSON(original.body);
  if (listener.payloadValidation && validatePayload(bodyJSON, original.body) !== undefined) {
    const event = stored(400, "invalid", []);
    await deps.journal?.record(event, []);
    return { event, decision: undefined, runs: [] };
  }
  const decision = await decideEvent(listener, prepareEvent(incoming, bodyJSON), {
    secrets: deps.secrets,
    log,
    deadlineMs: deps.deadlineMs,
  });
  const runs = planRuns(decision, eventId, serviceAccountsOf(listener));
  const event = stored(
    decision.unauthenticated && listener.reply === "honest" ? 401 : 202,
    eventOutcome(decision),
    decision.triggers,
  );
  await deps.journal?.record(event, runs);
  return { event, decision, runs };
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
