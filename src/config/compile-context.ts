import type { RemoteTarget } from "../interceptors/remote/types.js";
import type { CompiledTemplate } from "../templates/types.js";
import type {
  BrokenTrigger,
  ChainAuthenticator,
  CompiledBindingParam,
  DispatchStep,
  CompiledFact,
  InterceptorStep,
  TriggerPlan,
} from "./compiled.js";
import type { CompiledInterceptorParams } from "./interceptor-decode-env.js";
import type { DecodedConfig } from "./decoded-config.js";
import type { References } from "./resolve-references.js";
import type {
  ClusterInterceptor,
  ConfigIssue,
  EventListener,
  Interceptor,
  Loc,
  Trigger,
  TriggerTemplate,
} from "./types.js";

/** The object a chain is written in, for its `hookline.dev/webhook-timeout` annotation. */
export interface ChainOwner {
  annotations: Readonly<Record<string, string>>;
  loc: Loc;
}

/**
 * What one compilation shares between its modules: the references, the issues found so far and
 * the memo tables that make each object compiled (and each of its problems reported) once, however
 * many listeners reach it.
 */
export interface CompileContext {
  readonly decoded: DecodedConfig;
  readonly refs: References;
  readonly issues: ConfigIssue[];
  readonly triggerPlans: Map<Trigger, TriggerPlan | BrokenTrigger>;
  readonly templates: Map<TriggerTemplate, CompiledTemplate>;
  readonly bindingParams: Map<object, CompiledBindingParam | undefined>;
  readonly remoteTargets: Map<Interceptor | ClusterInterceptor, RemoteTarget | { reason: string }>;
  readonly webhookTimeouts: Map<ChainOwner, number>;
  /** The builtin step of each compiled params object (compile-interceptor-chain). */
  readonly builtinSteps: Map<CompiledInterceptorParams, InterceptorStep>;
  /** The chain authenticator of each first step (chainAuthenticator). */
  readonly chainAuthenticators: Map<InterceptorStep, ChainAuthenticator>;
  /** The dispatch step of each interceptor step, or null when it has none (compileDispatchPlan). */
  readonly dispatchSteps: Map<InterceptorStep, DispatchStep | null>;
  /** The dispatch index's facts, one object per distinct fact (an event checks each once). */
  readonly dispatchFacts: Map<string, CompiledFact>;
  /** One ChainOwner per object, so its annotation is checked (and reported) once. */
  ownerOf(obj: EventListener | Trigger): ChainOwner;
}

export function createCompileContext(decoded: DecodedConfig, refs: References): CompileContext {
  const owners = new Map<object, ChainOwner>();
  return {
    decoded,
    refs,
    issues: [...decoded.issues],
    triggerPlans: new Map(),
    templates: new Map(),
    bindingParams: new Map(),
    remoteTargets: new Map(),
    webhookTimeouts: new Map(),
    builtinSteps: new Map(),
    chainAuthenticators: new Map(),
    dispatchSteps: new Map(),
    dispatchFacts: new Map(),
    ownerOf(obj) {
      let owner = owners.get(obj);
      if (owner === undefined) {
        owner = { annotations: obj.metadata.annotations, loc: obj.loc };
        owners.set(obj, owner);
      }
      return owner;
    },
  };
}
