import type { ErrorCode } from "../errors/codes.js";
import type { InterceptorTrace } from "../interceptors/run-chain.js";
import type { StatusCodeName } from "../interceptors/types.js";
import type { RenderedResource } from "../templates/types.js";
import type { RuledOutBy } from "../core/ruled-out-by.js";

export type { RuledOutBy, RuledOutFact } from "../core/ruled-out-by.js";

/** A param as it was resolved, and where its value came from. */
export interface ParamTrace {
  name: string;
  value: string;
  source: string;
}

/** How one trigger ended. */
export type TriggerOutcome =
  /** Interceptors passed, params bound, resources rendered; the journal's run delivers them. */
  | { kind: "fired"; resources: RenderedResource[] }
  /** An interceptor said no to an event this trigger is for: a CEL filter that was false. */
  | { kind: "filtered"; interceptor: string; code: StatusCodeName; message: string }
  /**
   * The event is not one this trigger is for (another event type, another provider's, a filter
   * literal it cannot match): it did not run, or its first check stopped it. `message` names what
   * was seen (describeRuledOut). `interceptor` is the one that found it; absent when the dispatch
   * index ruled the trigger out without running it.
   */
  | { kind: "not_applicable"; ruledOutBy: RuledOutBy; message: string; interceptor?: string }
  /** A signature or token check failed. */
  | { kind: "rejected"; interceptor: string; code: StatusCodeName; message: string }
  /** Our side failed: a broken reference, a CEL error, a missing binding field. */
  | {
      kind: "failed";
      stage: "config" | "interceptor" | "bindings" | "template";
      message: string;
      /** hookline's error code, when one names the failure (`HL_SECRET_NOT_FOUND`). */
      code?: ErrorCode;
    }
  /**
   * Still running when the event's deadline passed: `interceptor` is the one that was running
   * then (absent when none was: the bindings or the template), `url` its address when it is a
   * remote one (no credentials, no query).
   */
  | { kind: "timedOut"; afterMs: number; interceptor?: string; url?: string }
  /**
   * It would have fired (interceptors passed, resources rendered), but the bucket of its
   * `hookline.dev/rate-limit` (the Trigger's, or the EventListener's) had no token: nothing is
   * created (src/listener/apply-rate-limits.ts). `limit` as written, normalised: `20/m`.
   */
  | { kind: "rateLimited"; limit: string; scope: "trigger" | "listener" };

/** Everything that decided one trigger's outcome: what the explain page will show. */
export interface TriggerTrace {
  trigger: string;
  namespace: string;
  triggerId: string;
  group?: string;
  via: "inline" | "triggerRef" | "selector" | "group";
  interceptors: InterceptorTrace[];
  extensions: Record<string, unknown>;
  params: ParamTrace[];
  outcome: TriggerOutcome;
  durationMs: number;
}

/**
 * A trigger the event was not for, as the journal keeps it: its name and the fact that ruled it
 * out, no trace (with a thousand triggers on a listener, most events rule out nearly all).
 */
export interface NotApplicableTrigger {
  trigger: string;
  ruledOutBy: RuledOutBy;
}

/** The listener's decision about one event. */
export interface EventDecision {
  listener: { name: string; namespace: string; uid: string };
  /** The triggers that ran: fired, filtered, rejected, failed or timed out, each with its trace. */
  triggers: TriggerTrace[];
  /** The triggers the event was not for, in the listener's order. */
  notApplicable: readonly NotApplicableTrigger[];
  /** Every trigger was stopped by a failed signature or token check (and there was one). */
  unauthenticated: boolean;
  /**
   * A signature or token check of some trigger passed — one the dispatch index ruled out after its
   * shared check included, whose trace is not kept.
   */
  authenticated: boolean;
}

/**
 * What the sender is told, as data: app.ts writes it on the wire, dry-run and replay print it.
 * `body` is the JSON body (Tekton's four fields, or Tekton's error shape plus hookline's code).
 */
export interface EventAnswer {
  kind: "accepted" | "duplicate" | "unauthenticated" | "invalid";
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}
