import { createCompileContext } from "./compile-context.js";
import { compileListenerSteps } from "./compile-listener.js";
import { compileBindingParam } from "./compile-trigger.js";
import type { CompiledConfig, CompiledListener } from "./compiled.js";
import type { DecodedConfig } from "./decoded-config.js";
import { note } from "./issues.js";
import { qualifiedName, resolveReferences } from "./resolve-references.js";
import { runAtOnce, runInTurns } from "./run-in-turns.js";

/**
 * Resolves references, evaluates selectors and compiles bindings and templates. The work is split
 * by what it compiles: listeners (compile-listener), triggers and their bindings
 * (compile-trigger), interceptor chains (compile-interceptor-chain), lookups (resolve-references).
 */
export function compileConfig(decoded: DecodedConfig): CompiledConfig {
  return runAtOnce(compileSteps(decoded));
}

/** compileConfig, giving the event loop a turn now and then (start and reload: run-in-turns.ts). */
export function compileConfigInTurns(decoded: DecodedConfig): Promise<CompiledConfig> {
  return runInTurns(compileSteps(decoded));
}

/** The compilation, pausing after each binding, each listener and each of its triggers. */
function* compileSteps(decoded: DecodedConfig): Generator<void, CompiledConfig, undefined> {
  const refs = resolveReferences(decoded.objects);
  const cx = createCompileContext(decoded, refs);
  // Every binding's params are checked, used by a trigger or not.
  for (const tb of [...refs.all("TriggerBinding"), ...refs.all("ClusterTriggerBinding")]) {
    const from = `${tb.kind} ${qualifiedName(tb.metadata.namespace, tb.metadata.name)}`;
    for (const p of tb.spec.params) compileBindingParam(p, from, cx);
    yield;
  }
  for (const ic of [...refs.all("Interceptor"), ...refs.all("ClusterInterceptor")]) {
    if (decoded.builtinNames.has(ic.metadata.name))
      cx.issues.push(
        note(
          ic.loc,
          `${ic.kind} "${ic.metadata.name}" is not called: refs to "${ic.metadata.name}" run hookline's in-process interceptor of that name`,
        ),
      );
  }
  const listeners: CompiledListener[] = [];
  for (const el of refs.all("EventListener")) {
    listeners.push(yield* compileListenerSteps(el, cx));
    yield;
  }
  return { listeners, secrets: refs.secrets(), issues: cx.issues, counts: refs.counts() };
}
