import { createHash } from "node:crypto";
import { canonicalHeaderKey } from "../core/canonical-header.js";
import type { CompileContext } from "./compile-context.js";
import { compileDispatchIndex } from "./compile-dispatch-index.js";
import { chainAuthenticator, compileInterceptorChain } from "./compile-interceptor-chain.js";
import { compileTrigger, compileTriggerSpec, triggerId } from "./compile-trigger.js";
import type { CompiledGroup, CompiledListener, CompiledTrigger } from "./compiled.js";
import { rateLimitOf } from "./parse-rate-limit.js";
import { referenceError } from "./issues.js";
import type { RateLimit } from "../concurrency/token-bucket.js";
import type { EventListener } from "./types.js";

/**
 * An EventListener: its selected, referenced and inline triggers, and its trigger groups, as steps
 * that pause after each trigger (compileConfig runs them at once, compileConfigInTurns in turns): a
 * listener with thousands of inline triggers does not compile in one block.
 */
export function* compileListenerSteps(
  el: EventListener,
  cx: CompileContext,
): Generator<void, CompiledListener, undefined> {
  const ns = el.metadata.namespace;
  const triggers: CompiledTrigger[] = [];
  for (const t of cx.refs.selectTriggers(ns, el.spec.namespaceSelector, el.spec.labelSelector)) {
    triggers.push(compileTrigger(t, "selector", cx));
    yield;
  }
  for (const t of el.spec.triggers) {
    if (t.triggerRef !== undefined) {
      const found = cx.refs.get("Trigger", ns, t.triggerRef.name);
      if (found !== undefined) {
        triggers.push(compileTrigger(found, "triggerRef", cx));
      } else {
        const reason = `Trigger "${t.triggerRef.name}" not found in namespace "${ns}"`;
        cx.issues.push(referenceError(t.triggerRef.loc, reason));
        triggers.push({
          name: t.triggerRef.name,
          namespace: ns,
          id: triggerId(ns, t.triggerRef.name),
          via: "triggerRef",
          plan: { kind: "broken", reason },
        });
      }
      yield;
      continue;
    }
    const name = t.name ?? "";
    triggers.push({
      name,
      namespace: ns,
      id: triggerId(ns, name),
      via: "inline",
      plan: compileTriggerSpec(t, ns, ns, cx.ownerOf(el), cx),
    });
    yield;
  }
  const groups = el.spec.triggerGroups.map((g): CompiledGroup => {
    const selected = cx.refs.selectTriggers(
      ns,
      g.triggerSelector.namespaceSelector,
      g.triggerSelector.labelSelector,
    );
    const interceptors = compileInterceptorChain(g.interceptors, ns, cx.ownerOf(el), cx);
    const authenticator =
      "reason" in interceptors
        ? undefined
        : chainAuthenticator(interceptors, cx.chainAuthenticators);
    return {
      name: g.name,
      id: `namespaces/${ns}/triggerGroups/${g.name}`,
      interceptors:
        "reason" in interceptors
          ? [{ kind: "unavailable", name: "group", reason: interceptors.reason }]
          : interceptors,
      triggers: selected.map((t) => compileTrigger(t, "group", cx)),
      ...(authenticator === undefined ? {} : { authenticator }),
    };
  });
  const annotations = el.metadata.annotations;
  const dispatchIndex = yield* compileDispatchIndex(triggers);
  const rateLimit = rateLimitOf(annotations);
  const triggerRateLimits = new Map<string, RateLimit>();
  for (const t of [...triggers, ...groups.flatMap((g) => g.triggers)])
    if (t.rateLimit !== undefined) triggerRateLimits.set(t.id, t.rateLimit);
  return {
    name: el.metadata.name,
    namespace: ns,
    uid: el.metadata.uid ?? stableUid(ns, el.metadata.name),
    uidKnown: el.metadata.uid !== undefined,
    payloadValidation: annotations["tekton.dev/payload-validation"] !== "false",
    reply: annotations["hookline.dev/reply"] === "tekton" ? "tekton" : "honest",
    keepQuery: annotations["hookline.dev/keep-query"] === "true",
    redactHeaders: headerNames(annotations["hookline.dev/redact-headers"]),
    cloudEventURI: el.spec.cloudEventURI,
    triggers,
    groups,
    ...(dispatchIndex === undefined ? {} : { dispatchIndex }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(triggerRateLimits.size === 0 ? {} : { triggerRateLimits }),
  };
}

/** `X-Hook-Key, x-other` → the canonical names, as headers are stored. */
function headerNames(list: string | undefined): ReadonlySet<string> {
  const names = (list ?? "").split(",").map((n) => n.trim());
  return new Set(names.filter((n) => n !== "").map(canonicalHeaderKey));
}

/** A UUID-shaped id that stays the same for the same listener across restarts. */
function stableUid(namespace: string, name: string): string {
  const h = createHash("sha1").update(`hookline:EventListener:${namespace}/${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
