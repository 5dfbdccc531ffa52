import { CompiledParamsTable, type CompiledInterceptorParams } from "./interceptor-decode-env.js";
import type { ConfigIssue, ConfigObject, TriggerInterceptor } from "./types.js";

/**
 * The objects of a directory (and/or the cluster), decoded but with references not yet resolved:
 * what the decoders hand to `compileConfig`. Its own module so that the loader and the compiler
 * both depend on it instead of on each other.
 */
export interface DecodedConfig {
  objects: ConfigObject[];
  compiled: WeakMap<TriggerInterceptor, CompiledInterceptorParams>;
  /** Names of the interceptors that run in-process (core and plug-ins). */
  builtinNames: ReadonlySet<string>;
  issues: ConfigIssue[];
}

/** An empty DecodedConfig for a registry's interceptor names. */
export function createDecodedConfig(builtinNames: Iterable<string>): DecodedConfig {
  return {
    objects: [],
    compiled: new CompiledParamsTable(),
    builtinNames: new Set(builtinNames),
    issues: [],
  };
}
