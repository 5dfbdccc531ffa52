import type { Interceptor as InterceptorImpl, ParamError } from "../interceptors/types.js";
import type { InterceptorRegistry } from "../interceptors/registry.js";
import type { DecodeContext } from "./decode.js";
import type { ConfigIssue, EventListenerTrigger, TriggerInterceptor } from "./types.js";

export type ApiVersion = "v1beta1" | "v1alpha1";

/** A ref'd interceptor whose params were compiled at load by the in-process implementation. */
export interface CompiledInterceptorParams {
  interceptor: InterceptorImpl<unknown>;
  params: unknown;
}

/** A core interceptor's params compiled once per load, with their warnings (compileParams). */
export interface SharedParams {
  readonly compiled: CompiledInterceptorParams;
  readonly warnings: readonly ParamError[] | undefined;
}

/**
 * A load's compiled params, by decoded interceptor, and the core interceptors' params it has
 * compiled, by their name and params as written, so that equal ones are compiled once and held
 * once (compile-interceptor-params.ts). Dropped with the load.
 */
export class CompiledParamsTable extends WeakMap<TriggerInterceptor, CompiledInterceptorParams> {
  readonly shared = new Map<string, SharedParams>();
}

/** What the decoders of Triggers objects get: the context, the API version, the interceptors. */
export interface InterceptorDecodeEnv {
  cx: DecodeContext;
  version: ApiVersion;
  registry: InterceptorRegistry;
  /** Compiled params, keyed by the decoded TriggerInterceptor object. */
  compiled: WeakMap<TriggerInterceptor, CompiledInterceptorParams>;
  /** A listener's inline triggers decoded ahead, in turns (decode-event-listener.ts). */
  triggers?: PreDecodedTriggers;
}

/**
 * Inline triggers decoded before their document, by their node: each trigger with the issues its
 * decoding produced, which are added to the document's when the trigger is taken, in its place.
 */
export type PreDecodedTriggers = Map<unknown, PreDecodedTrigger>;

export interface PreDecodedTrigger {
  readonly cx: DecodeContext;
  readonly path: string;
  readonly version: ApiVersion;
  readonly trigger: EventListenerTrigger | undefined;
  readonly issues: readonly ConfigIssue[];
}
