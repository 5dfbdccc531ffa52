import type { Interceptor as InterceptorImpl } from "../interceptors/types.js";
import type { InterceptorRegistry } from "../interceptors/registry.js";
import type { DecodeContext } from "./decode.js";
import type { TriggerInterceptor } from "./types.js";

export type ApiVersion = "v1beta1" | "v1alpha1";

/** A ref'd interceptor whose params were compiled at load by the in-process implementation. */
export interface CompiledInterceptorParams {
  interceptor: InterceptorImpl<unknown>;
  params: unknown;
}

/** What the decoders of Triggers objects get: the context, the API version, the interceptors. */
export interface InterceptorDecodeEnv {
  cx: DecodeContext;
  version: ApiVersion;
  registry: InterceptorRegistry;
  /** Compiled params, keyed by the decoded TriggerInterceptor object. */
  compiled: WeakMap<TriggerInterceptor, CompiledInterceptorParams>;
}
