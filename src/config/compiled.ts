import type { RateLimit } from "../concurrency/token-bucket.js";
import type { CompiledValue } from "../bindings/index.js";
import type { RemoteTarget, WebhookHeader } from "../interceptors/remote/types.js";
import type { Authenticate, Interceptor } from "../interceptors/types.js";
import type { EventFact, HeaderIs } from "../interceptors/dispatch-facts.js";
import type { CompiledTemplate } from "../templates/types.js";
import type { ConfigIssue } from "./types.js";

/**
 * The configuration as the request path uses it: references resolved, CEL compiled, templates
 * compiled, selectors evaluated. Built once per load; never changed afterwards.
 */
export interface CompiledConfig {
  listeners: readonly CompiledListener[];
  /** Secret values by `namespace/name`, then key. */
  secrets: ReadonlyMap<string, Readonly<Record<string, Buffer>>>;
  issues: readonly ConfigIssue[];
  /** How many objects of each kind were loaded. */
  counts: Readonly<Record<string, number>>;
}

export type ReplyMode = "honest" | "tekton";

export interface CompiledListener {
  name: string;
  namespace: string;
  uid: string;
  /**
   * The uid is the object's own (read from the cluster, or written in the file); else it is made
   * up from the namespace and name, and no Kubernetes Event may name it (kubectl describe selects
   * Events by the object's real uid).
   */
  uidKnown?: boolean;
  /** Tekton's payload validation; off with `tekton.dev/payload-validation: "false"`. */
  payloadValidation: boolean;
  reply: ReplyMode;
  /**
   * `hookline.dev/keep-query: "true"`: the journal keeps the request's query values (known secret
   * values still redacted). Absent or false: every query value is stored as `[redacted]`.
   */
  keepQuery?: boolean;
  /** `hookline.dev/redact-headers`: more header names (canonical) whose values are never stored. */
  redactHeaders?: ReadonlySet<string>;
  /** Tekton's `cloudEventURI`: where the started/successful/failed/done CloudEvents go. */
  cloudEventURI: string | undefined;
  triggers: readonly CompiledTrigger[];
  groups: readonly CompiledGroup[];
  /**
   * The dispatch index's buckets over `triggers` (src/config/compile-dispatch-index.ts), used only
   * while `dispatchIndex.triggers` is this listener's `triggers` array.
   */
  dispatchIndex?: DispatchIndex;
  /** `hookline.dev/rate-limit` on the EventListener: one bucket for the listener's events. */
  rateLimit?: RateLimit;
  /**
   * The rate limits of the listener's triggers (its groups' included), by trigger id; absent when
   * none has one (and without `rateLimit` either, an event's decision is not looked at again).
   */
  triggerRateLimits?: ReadonlyMap<string, RateLimit>;
}

export interface CompiledTrigger {
  /** The Trigger's name, or the inline trigger's (may be ""). */
  name: string;
  namespace: string;
  /** Tekton's trigger_id: `namespaces/<ns>/triggers/<name>`. */
  id: string;
  /** How the listener came to run it. */
  via: "inline" | "triggerRef" | "selector" | "group";
  plan: TriggerPlan | BrokenTrigger;
  /** `hookline.dev/rate-limit` on the Trigger object: one bucket for the trigger. */
  rateLimit?: RateLimit;
}

/** A trigger whose references did not resolve: it fails at request time with this reason. */
export interface BrokenTrigger {
  kind: "broken";
  reason: string;
}

export interface TriggerPlan {
  kind: "plan";
  interceptors: readonly InterceptorStep[];
  /** Binding params in Tekton's order: inline, TriggerBinding refs, ClusterTriggerBinding refs. */
  bindings: readonly CompiledBindingParam[];
  template: CompiledTemplate;
  /** The TriggerTemplate's name, or undefined for an embedded spec. */
  templateName: string | undefined;
  serviceAccountName: string | undefined;
  /**
   * Set when the chain begins with a raw-bytes authenticator (a signature or token check with a
   * secret): the auth-first gate runs it before the body is parsed (src/listener/auth-gate.ts).
   */
  authenticator?: ChainAuthenticator;
  /**
   * The leading steps whose facts the dispatch index checks for an event before running the
   * trigger (src/config/compile-dispatch-plan.ts); absent when none requires anything.
   */
  dispatch?: DispatchPlan;
}

/** A trigger's leading steps as the dispatch index checks them. */
export interface DispatchPlan {
  readonly steps: readonly DispatchStep[];
}

export interface DispatchStep {
  /** The interceptor's name, as the trace shows it. */
  readonly interceptor: string;
  /** Header names canonical. */
  readonly unless: readonly HeaderIs[];
  readonly parsesBody: boolean;
  readonly requires: readonly CompiledFact[];
  /** What the step does when the facts hold; `authenticates` with the step's authenticator. */
  readonly then:
    | { kind: "continues" }
    | { kind: "opaque" }
    | { kind: "authenticates"; authenticator: ChainAuthenticator };
}

/**
 * A listener's triggers bucketed by their deciding fact: triggers whose dispatch plans are the
 * same but for one `body` or `header` fact (the same path or header, other values) share a
 * bucket, and an event looks the value it has up in `byValue` instead of walking every plan.
 */
export interface DispatchIndex {
  /** The array the buckets' `index`es point into: a listener with other triggers ignores it. */
  readonly triggers: readonly CompiledTrigger[];
  readonly buckets: readonly DispatchBucket[];
}

/** A body or header fact, as a bucket decides by it. */
export type DecidingFact = Extract<CompiledFact, { kind: "body" | "header" }>;

export interface DispatchBucket {
  readonly namespace: string;
  /** The first member's plan; the others' differ from it only in the deciding fact. */
  readonly plan: DispatchPlan;
  /** Where the deciding fact is in the plan: `plan.steps[step].requires[fact]`. */
  readonly step: number;
  readonly fact: number;
  /** The members, in trigger order: their index in `triggers`, their own deciding fact. */
  readonly members: readonly { readonly index: number; readonly decides: DecidingFact }[];
  /** For each value a deciding fact accepts, the positions in `members` of those that accept it. */
  readonly byValue: ReadonlyMap<string, readonly number[]>;
}

/** An EventFact with its header name canonical, or its body path's key for the per-event memo. */
export type CompiledFact =
  | (Extract<EventFact, { kind: "eventType" | "header" }> & { readonly canonical: string })
  | (Extract<EventFact, { kind: "body" | "bodyHas" }> & { readonly pathKey: string });

/** The first interceptor of a chain, when it checks the sender over the raw bytes. */
export interface ChainAuthenticator {
  /** The interceptor's name, as the trace shows it. */
  name: string;
  authenticate: Authenticate;
  /**
   * The interceptor and its params: authenticators with the same key (in the same namespace) give
   * the same answer for an event, so the gate runs one of them per event. Without one, the
   * authenticator's answer is its own.
   */
  key?: string;
}

export interface CompiledBindingParam {
  name: string;
  value: CompiledValue;
  /** Where the param came from: `inline`, or `TriggerBinding ns/name`. */
  from: string;
}

/**
 * One interceptor of a chain. `builtin` runs in-process (a core interceptor or a plug-in);
 * `remote` POSTs Tekton's InterceptorRequest to an Interceptor/ClusterInterceptor service;
 * `webhook` is Tekton's legacy `webhook:` interceptor, which may rewrite the body and headers;
 * `unavailable` fails the trigger with the reason.
 */
export type InterceptorStep =
  | {
      kind: "builtin";
      name: string;
      interceptor: Interceptor<unknown>;
      params: unknown;
      /** The interceptor's signature or token check for these params, when it has one. */
      authenticate?: Authenticate;
      /** With `authenticate`: the interceptor's name and params as written (ChainAuthenticator.key). */
      authKey?: string;
    }
  | RemoteStep
  | WebhookStep
  | { kind: "unavailable"; name: string; reason: string };

export interface RemoteStep {
  kind: "remote";
  /** The ref's name. */
  name: string;
  /** `ClusterInterceptor tekton-pipelines/x`, for messages. */
  resource: string;
  target: RemoteTarget;
  /** The ref's params as `interceptor_params`: raw JSON values by name. */
  params: Readonly<Record<string, unknown>>;
}

export interface WebhookStep {
  kind: "webhook";
  /** The interceptor's `name`, or `webhook`. */
  name: string;
  target: RemoteTarget;
  header: readonly WebhookHeader[];
}

export interface CompiledGroup {
  name: string;
  /** `namespaces/<elNS>/triggerGroups/<group>`. */
  id: string;
  interceptors: readonly InterceptorStep[];
  triggers: readonly CompiledTrigger[];
  /** Set when the group's chain begins with a raw-bytes authenticator (see TriggerPlan). */
  authenticator?: ChainAuthenticator;
}
