import { canonicalHeaderKey } from "../core/canonical-header.js";
import type { EventFact } from "../interceptors/dispatch-facts.js";
import type { CompiledFact, DispatchPlan, DispatchStep, InterceptorStep } from "./compiled.js";

/**
 * A trigger's dispatch plan: the leading steps of its chain whose facts the dispatch index can
 * check for an event without running the trigger (DispatchFacts, from each interceptor's
 * `dispatchFacts`). The plan stops at the first step that says nothing (a remote or `webhook:`
 * interceptor, a plug-in without facts, an `opaque` step); undefined when no step requires
 * anything, so that such a trigger is never looked at per event.
 */
export function compileDispatchPlan(
  chain: readonly InterceptorStep[],
  known: Map<string, CompiledFact>,
  memo: Map<InterceptorStep, DispatchStep | null> = new Map(),
): DispatchPlan | undefined {
  const steps: DispatchStep[] = [];
  for (const step of chain) {
    if (step.kind !== "builtin") break;
    // A step shared by many triggers (the same github check) has one dispatch step.
    let compiled = memo.get(step);
    if (compiled === undefined) memo.set(step, (compiled = dispatchStep(step, known) ?? null));
    if (compiled === null) break;
    steps.push(compiled);
    if (compiled.then.kind === "opaque") break;
  }
  return steps.some((s) => s.requires.length > 0) ? { steps } : undefined;
}

function dispatchStep(
  step: InterceptorStep & { kind: "builtin" },
  known: Map<string, CompiledFact>,
): DispatchStep | undefined {
  const facts = step.interceptor.dispatchFacts?.(step.params);
  if (facts === undefined) return undefined;
  const then: DispatchStep["then"] =
    facts.then === "authenticates"
      ? step.authenticate === undefined
        ? OPAQUE
        : {
            kind: "authenticates",
            authenticator: {
              name: step.name,
              authenticate: step.authenticate,
              ...(step.authKey === undefined ? {} : { key: step.authKey }),
            },
          }
      : facts.then === "opaque"
        ? OPAQUE
        : CONTINUES;
  return {
    interceptor: step.name,
    unless:
      facts.unless.length === 0
        ? NO_HEADERS
        : facts.unless.map((u) => ({ header: canonicalHeaderKey(u.header), value: u.value })),
    parsesBody: facts.parsesBody === true,
    requires: facts.requires.map((f) => compileFact(f, known)),
    then,
  };
}

const NO_HEADERS: DispatchStep["unless"] = Object.freeze([]);
const OPAQUE: DispatchStep["then"] = Object.freeze({ kind: "opaque" });
const CONTINUES: DispatchStep["then"] = Object.freeze({ kind: "continues" });

/**
 * Header names canonical once, body paths with the key their value is kept under per event; one
 * object per distinct fact of the config (`known`), so that an event checks each once.
 */
function compileFact(fact: EventFact, known: Map<string, CompiledFact>): CompiledFact {
  const key = JSON.stringify(fact);
  const seen = known.get(key);
  if (seen !== undefined) return seen;
  let compiled: CompiledFact;
  switch (fact.kind) {
    case "eventType":
    case "header":
      compiled = { ...fact, canonical: canonicalHeaderKey(fact.header) };
      break;
    case "body":
    case "bodyHas":
      compiled = { ...fact, pathKey: JSON.stringify(fact.path) };
      break;
  }
  known.set(key, compiled);
  return compiled;
}
