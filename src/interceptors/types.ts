import type { RuledOutBy } from "../core/ruled-out-by.js";
import type { Logger } from "../core/logger.js";
import type { ErrorCode } from "../errors/codes.js";
import type { DispatchFacts } from "./dispatch-facts.js";

/** gRPC status codes that Tekton's interceptors answer with (TEKTON-SPEC §3.2). */
export const statusCodes = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type StatusCodeName = keyof typeof statusCodes;

/** `{secretName, secretKey}`: a key of a Secret in the trigger's namespace. */
export interface SecretRef {
  secretName: string;
  secretKey: string;
}

/** Looks up secret values; the only way interceptors reach secrets. */
export interface SecretResolver {
  /** The value of `ref` in `namespace`; throws a HooklineError (HL_SECRET_NOT_FOUND) if absent. */
  get(ref: SecretRef, namespace: string): Promise<Buffer>;
}

/** Tekton's InterceptorRequest.context. */
export interface TriggerContext {
  event_url: string;
  event_id: string;
  trigger_id: string;
}

/**
 * The in-process form of Tekton's InterceptorRequest. `body` stays bytes so that signatures are
 * checked over exactly what was received; `bodyJSON()` parses it at most once per body.
 */
export interface InterceptorRequest {
  readonly body: Buffer;
  readonly bodyJSON: () => unknown;
  readonly header: Readonly<Record<string, readonly string[]>>;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly context: TriggerContext;
  /** The body as received, before Tekton's form-to-JSON conversion: what Slack signs. */
  readonly rawBody?: Buffer;
}

/**
 * The request as received, for an authenticator: the body's bytes and the canonical headers.
 * Nothing is parsed: the signature or token is checked before anything reads the body.
 */
export interface RawRequest {
  readonly body: Buffer;
  readonly header: Readonly<Record<string, readonly string[]>>;
}

/**
 * An interceptor's signature or token check alone, over the raw bytes (see
 * `Interceptor.authenticator`). Answers `accept()` when the sender is authenticated, and otherwise
 * the very rejection `process` would give: `authFailure` for a signature or token that did not
 * verify, `notApplicable` for an event this trigger is not for. Any other rejection (a missing
 * secret, say) leaves the decision to the whole chain.
 */
export type Authenticate = (
  raw: RawRequest,
  ctx: InterceptorContext,
) => Promise<InterceptorResponse>;

/** An interceptor's answer: go on (with extensions), or stop this trigger. */
export type InterceptorResponse =
  | { continue: true; extensions?: Record<string, unknown> }
  | {
      continue: false;
      status: { code: StatusCodeName; message: string };
      /** Set for a signature or token that did not verify: the listener's 401 rule. */
      authFailure?: boolean;
      /**
       * Set when the event is not one this trigger is for (an event type it does not list, or
       * another provider's event). Such a trigger does not stand in the way of the 401 when
       * another trigger rejected the sender's signature or token.
       */
      notApplicable?: boolean;
      /**
       * Set when the interceptor could not make its check at all (a secret that cannot be read):
       * the trigger is _failed_, not filtered, and its trace carries this hookline error code.
       */
      failure?: { code: ErrorCode };
      /** With `notApplicable`: which fact of the event showed it (absent from a plug-in's answer). */
      ruledOutBy?: RuledOutBy;
    };

/** The totals of an EventBudget (defaults: `eventBudgetLimits` in event-budget.ts). */
export interface EventBudgetLimits {
  /** Steps (an interceptor's unit of work; for cel, one node evaluation) for the whole event. */
  readonly maxSteps: number;
  /** Milliseconds of interceptor CPU time for the whole event. */
  readonly maxMillis: number;
  /**
   * An event pauses once it has worked this many milliseconds since it last paused, or once all
   * events together have since the event loop last went round…
   */
  readonly sliceMillis: number;
  /** …or this many steps, whichever comes first. */
  readonly sliceSteps: number;
}

/**
 * The CPU one event may spend in CPU-bound interceptors (cel), shared by every interceptor of every
 * trigger of the event (issue 11), and the place where the event pauses so that the event loop
 * serves other requests meanwhile: an expensive event delays mainly itself.
 */
export interface EventBudget {
  readonly limits: EventBudgetLimits;
  /** Steps the event has left (never below 0). */
  readonly remainingSteps: number;
  /** Milliseconds the event has left (never below 0). */
  readonly remainingMillis: number;
  /** Records work done for the event. */
  spend(steps: number, millis: number): void;
  /**
   * Call it right before a unit of work, then check `ctx.signal`. `undefined` (go on at once, with
   * no microtask in between, so that the check and the work belong together) for an event that has
   * not worked yet, or while neither the event nor the event loop's current turn has worked a slice;
   * otherwise a promise that resolves
   * once the loop has gone round: requests and timers (the decision deadline) are served first,
   * and waiting events are let go one per turn, the one that has used least CPU first.
   */
  pause(): Promise<void> | undefined;
}

/** What an interceptor's `process` gets beside the request. */
export interface InterceptorContext {
  readonly secrets: SecretResolver;
  /** The trigger's namespace: secrets are read from it, as in Tekton. */
  readonly namespace: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /**
   * When hookline received the event: timestamp windows (replay protection) are measured from
   * this, so a replay of a stored event still verifies.
   */
  readonly receivedAt: Date;
  /**
   * The event's CPU budget, shared by all its triggers. hookline always sets it; a context built
   * by hand (a plug-in's own test) may leave it out, and CPU-bound interceptors then use
   * `createEventBudget()` of their own.
   */
  readonly eventBudget?: EventBudget;
}

/** A problem with an interceptor's params, found at load time. */
export class ParamError extends Error {
  /** Path below `params`, e.g. `filter` or `overlays[1].expression`. */
  readonly field: string;
  /** Zero-based offset inside the param's string value (a CEL expression's column). */
  readonly offset: number | undefined;
  constructor(field: string, message: string, offset?: number) {
    super(message);
    this.name = "ParamError";
    this.field = field;
    this.offset = offset;
  }
}

/**
 * An interceptor: `parseParams` validates (and compiles) its params once at load time and throws
 * ParamError naming the field; `process` runs per event and answers; a "no" is a response, not a throw.
 */
export interface Interceptor<P = unknown> {
  readonly name: string;
  parseParams(params: Readonly<Record<string, unknown>>): P;
  process(
    req: InterceptorRequest,
    params: P,
    ctx: InterceptorContext,
  ): InterceptorResponse | Promise<InterceptorResponse>;
  /**
   * Optional, for interceptors that check a signature or token over the raw body: given params
   * that configure such a check (a secret), the check alone, made from the same code `process`
   * uses; undefined for params with none. Called once at load time. When every trigger that may
   * apply to an event begins with one and none passes, the listener answers without parsing the
   * body or running the rest of any chain (the auth-first gate, src/listener/auth-gate.ts).
   * @example authenticator: (params) => params.secretRef === undefined ? undefined : (raw, ctx) => check(raw, params, ctx)
   */
  authenticator?(params: P): Authenticate | undefined;
  /**
   * Optional: every Secret these params name (signing secrets, API tokens), so that `hookline
   * validate` can warn about one that exists nowhere before an event finds out.
   * @example secretRefs: (params) => allSecretRefs(params)
   */
  secretRefs?(params: P): readonly SecretRef[];
  /**
   * Optional: what in these params is valid but almost certainly a mistake (an event type the
   * provider never sends), each as a ParamError naming the field. Called once at load time; each
   * is a `validate` warning at the field's file:line:col, never an error.
   * @example paramWarnings: (p) => checkKnownEventTypes(p.eventTypes, NAMES, "eventTypes", "a GitHub event name")
   */
  paramWarnings?(params: P): readonly ParamError[];
  /**
   * Optional: what a step with these params requires of an event before anything else it does,
   * as facts the dispatch index can check without running the trigger (DispatchFacts). Called
   * once at load time; undefined when nothing can be said. A fact must never rule out an event
   * that `process` would let through or answer otherwise.
   * @example dispatchFacts: (p) => ({ unless: [], requires: [{ kind: "eventType", header: "X-Foo-Event", eventTypes: p.eventTypes }], then: "opaque" })
   */
  dispatchFacts?(params: P): DispatchFacts | undefined;
}
