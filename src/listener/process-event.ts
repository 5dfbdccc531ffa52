import type { CompiledListener } from "../config/compiled.js";
import { isCloudEventRequest } from "../cloudevents/tekton-events.js";
import { firstHeader } from "../core/canonical-header.js";
import { memoJSON } from "../core/memo-json.js";
import type { IncomingEvent } from "../core/incoming-event.js";
import { payloadTooComplex, validatePayload } from "./validate-payload.js";
import { createEventSecrets } from "../interceptors/event-secrets.js";
import type { SecretResolver } from "../interceptors/types.js";
import type { Logger } from "../core/logger.js";
import type { RateLimiter } from "../concurrency/token-bucket.js";
import type { SpanParent } from "../core/span-parent.js";
import type { DeliveryIdOwner } from "../store/types.js";
import { acceptedAnswer, duplicateAnswer, errorAnswer } from "./answer-event.js";
import { authGate } from "./auth-gate.js";
import { createEventChecks } from "./event-checks.js";
import { decideEvent, decisionOf, logOutcome } from "./decide-event.js";
import { eventOutcome, planCloudEvents, planRuns } from "./plan-runs.js";
import { prepareEvent } from "./prepare-event.js";
import { serviceAccountsOf } from "./service-accounts.js";
import type { ProcessedEvent } from "./processed-event.js";
import type { ErrorCode } from "../errors/codes.js";
import type { EventDecision } from "./types.js";

export interface ProcessDeps {
  secrets: SecretResolver;
  /** The event's logger (eventId, deliveryId, listener already bound). */
  log: Logger;
  /** Triggers still running after this long are recorded as timed out. */
  deadlineMs: number;
  /** Where the triggers' spans go (the request's server span); undefined: tracing is off. */
  trace?: SpanParent | undefined;
  /** `hookline.dev/rate-limit`'s buckets: serve has them; dry-run and replay do not. */
  rateLimiter?: RateLimiter | undefined;
}

export interface EventInput {
  listener: CompiledListener;
  /** The request read whole: body, canonical headers, receive time, event id, delivery id. */
  event: IncomingEvent;
  /**
   * What the journal knows of the event's delivery id, asked by the caller beforehand (undefined
   * when the event has none, when no earlier event holds it, or when there is no journal: a dry
   * run). Taken as input so that this function never reads or writes the journal.
   */
  deliveryIdOwner: DeliveryIdOwner | undefined;
  /**
   * The receive time the journal records, when it is not `event.receivedAt`: a replay's own
   * (its timestamp checks use the original's). Runs take their place in their concurrency
   * groups by it, so a replay is the newest run of its group.
   */
  recordedAt?: Date;
}

/**
 * The one path of an event through hookline's decisions, shared by serve, replay and dry-run:
 * the duplicate rule, the auth-first gate (signatures and tokens over the raw bytes, before the
 * body is parsed: src/listener/auth-gate.ts), payload validation, every trigger (interceptors → bindings → templates),
 * the planned deliveries (resources and the listener's CloudEvents), and the answer (202, 200 for
 * a duplicate, 401 when every applicable trigger refused the signature, 400 for a body that is
 * not a JSON object, 413 for one past the JSON structure limits; Tekton's 202 under
 * `hookline.dev/reply: tekton`).
 *
 * Pure apart from the interceptors' own I/O (secrets, remote interceptors, provider APIs): the
 * caller records the result in the journal, and answers, prints or delivers it.
 */
export async function processEvent(input: EventInput, deps: ProcessDeps): Promise<ProcessedEvent> {
  const { listener, event, deliveryIdOwner } = input;
  const recordedAt = input.recordedAt ?? event.receivedAt;
  if (deliveryIdOwner?.blocksRedelivery === true) {
    // A delivery id whose event fired: nothing runs again.
    return {
      outcome: "duplicate",
      traces: [],
      notApplicable: [],
      runs: [],
      answer: duplicateAnswer(listener, deliveryIdOwner.eventId, event.deliveryId),
      authenticated: false,
    };
  }
  // Each secret is read once for the event, by the gate and every trigger alike.
  // And each signature or token check runs once, for the gate and the dispatch index alike.
  const secrets = createEventSecrets(deps.secrets);
  const checks = createEventChecks(event, { secrets, log: deps.log });
  const gate = await authGate(listener, event, { secrets, log: deps.log, checks });
  if (gate.kind === "closed") {
    deps.log.debug("event refused before its body was read: no trigger authenticated it");
    for (const t of gate.traces) logOutcome(deps.log, t);
    return decided(listener, event, recordedAt, decisionOf(listener, gate.traces), false);
  }
  const bodyJSON = memoJSON(event.rawBody);
  if (listener.payloadValidation) {
    // A body refused before any trigger runs: nothing is planned, the answer names why.
    const refused = (code: ErrorCode, message: string): ProcessedEvent => ({
      outcome: "invalid",
      traces: [],
      notApplicable: [],
      runs: [],
      authenticated: gate.authenticated,
      answer: errorAnswer("invalid", listener, code, message, event.eventId),
    });
    const tooComplex = payloadTooComplex(bodyJSON);
    if (tooComplex !== undefined) {
      deps.log.info("event refused: body too complex", { reason: tooComplex });
      return refused("HL_INTAKE_TOO_COMPLEX", tooComplex);
    }
    const invalid = validatePayload(bodyJSON, event.rawBody);
    if (invalid !== undefined) {
      deps.log.info("event refused: invalid payload", { reason: invalid });
      const tekton = `Invalid event body format : ${invalid}`;
      // A form (GitHub's default content type) is no JSON: say how to fix it, unless the
      // listener answers exactly as Tekton does.
      return isFormEncoded(event.header) && listener.reply === "honest"
        ? refused("HL_INTAKE_FORM_ENCODED", `${tekton}; ${FORM_FIX}`)
        : refused("HL_INTAKE_INVALID_PAYLOAD", tekton);
    }
  }
  const decision = await decideEvent(listener, prepareEvent(event, bodyJSON), {
    ...deps,
    secrets,
    checks,
  });
  const authenticated = gate.authenticated || decision.authenticated;
  return decided(listener, event, recordedAt, decision, authenticated);
}

const FORM_FIX =
  "the delivery is form-encoded (application/x-www-form-urlencoded) and this listener's interceptor takes JSON only: set Content type to application/json in the webhook's settings";

function isFormEncoded(header: IncomingEvent["header"]): boolean {
  const type = firstHeader(header, "Content-Type") ?? "";
  return type.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/**
 * Nothing fired and a trigger failed because the body is form-encoded (GitHub's default content
 * type): the sender is told so with a 400, so that its delivery log shows the fix instead of a
 * success.
 */
function refusedFormEncoding(decision: EventDecision): boolean {
  return (
    !decision.triggers.some((t) => t.outcome.kind === "fired") &&
    decision.triggers.some(
      (t) => t.outcome.kind === "failed" && t.outcome.code === "HL_INTAKE_FORM_ENCODED",
    )
  );
}

/** The planned deliveries and the answer, from the listener's decision. */
function decided(
  listener: CompiledListener,
  event: IncomingEvent,
  recordedAt: Date,
  decision: EventDecision,
  authenticated: boolean,
): ProcessedEvent {
  const runs = [
    ...planRuns(decision, event.eventId, serviceAccountsOf(listener), recordedAt),
    ...planCloudEvents(listener, decision, event.eventId, event.header),
  ];
  const outcome = eventOutcome(decision);
  const answer =
    decision.unauthenticated && listener.reply === "honest"
      ? errorAnswer(
          "unauthenticated",
          listener,
          "HL_LISTENER_UNAUTHENTICATED",
          "the event was not accepted",
          event.eventId,
        )
      : listener.reply === "honest" && refusedFormEncoding(decision)
        ? errorAnswer("invalid", listener, "HL_INTAKE_FORM_ENCODED", FORM_FIX, event.eventId)
        : acceptedAnswer(
            listener,
            event.eventId,
            event.deliveryId,
            isCloudEventRequest(event.header),
            authenticated ? outcome : undefined,
          );
  return {
    outcome,
    traces: decision.triggers,
    notApplicable: decision.notApplicable,
    runs,
    answer,
    authenticated,
  };
}
