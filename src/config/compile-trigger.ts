import { compileBindingValue } from "../bindings/index.js";
import { compileTemplate } from "../templates/compile-template.js";
import type { CompiledTemplate } from "../templates/types.js";
import type { ChainOwner, CompileContext } from "./compile-context.js";
import { chainAuthenticator, compileInterceptorChain } from "./compile-interceptor-chain.js";
import { compileDispatchPlan } from "./compile-dispatch-plan.js";
import type {
  BrokenTrigger,
  CompiledBindingParam,
  CompiledTrigger,
  TriggerPlan,
} from "./compiled.js";
import { documentError, referenceError } from "./issues.js";
import { rateLimitOf } from "./parse-rate-limit.js";
import { qualifiedName } from "./resolve-references.js";
import type { Param, Trigger, TriggerSpec } from "./types.js";

/** A Trigger object as a listener runs it; its plan is compiled once, however many reach it. */
export function compileTrigger(
  t: Trigger,
  via: CompiledTrigger["via"],
  cx: CompileContext,
): CompiledTrigger {
  const ns = t.metadata.namespace;
  let plan = cx.triggerPlans.get(t);
  if (plan === undefined) {
    plan = compileTriggerSpec(t.spec, ns, ns, cx.ownerOf(t), cx);
    cx.triggerPlans.set(t, plan);
  }
  const rateLimit = rateLimitOf(t.metadata.annotations);
  return {
    name: t.metadata.name,
    namespace: ns,
    id: triggerId(ns, t.metadata.name),
    via,
    plan,
    ...(rateLimit === undefined ? {} : { rateLimit }),
  };
}

export function triggerId(ns: string, name: string): string {
  return `namespaces/${ns}/triggers/${name}`;
}

/** Interceptors, bindings (Tekton's order: inline, TriggerBinding, ClusterTriggerBinding), template. */
export function compileTriggerSpec(
  spec: TriggerSpec,
  ns: string,
  elNamespace: string,
  owner: ChainOwner,
  cx: CompileContext,
): TriggerPlan | BrokenTrigger {
  const problems: string[] = [];
  const interceptors = compileInterceptorChain(spec.interceptors, elNamespace, owner, cx);
  if ("reason" in interceptors) problems.push(interceptors.reason);
  const inline: CompiledBindingParam[] = [];
  const tbs: CompiledBindingParam[] = [];
  const ctbs: CompiledBindingParam[] = [];
  for (const b of spec.bindings) {
    if (b.kind === "inline") {
      const p = compileBindingParam(b, "inline", cx);
      if (p !== undefined) inline.push(p);
      continue;
    }
    const obj =
      b.bindingKind === "TriggerBinding"
        ? cx.refs.get("TriggerBinding", ns, b.ref)
        : cx.refs.get("ClusterTriggerBinding", "", b.ref);
    if (obj === undefined) {
      const reason = `${b.bindingKind} "${b.ref}" not found${b.bindingKind === "TriggerBinding" ? ` in namespace "${ns}"` : ""}`;
      cx.issues.push(referenceError(b.loc, reason));
      problems.push(reason);
      continue;
    }
    const from = `${b.bindingKind} ${qualifiedName(obj.metadata.namespace, obj.metadata.name)}`;
    for (const param of obj.spec.params) {
      const p = compileBindingParam(param, from, cx);
      if (p !== undefined) (b.bindingKind === "TriggerBinding" ? tbs : ctbs).push(p);
    }
  }
  let template: CompiledTemplate | undefined;
  let templateName: string | undefined;
  if (spec.template?.kind === "inline") {
    template = compileTemplate(spec.template.spec, {});
  } else if (spec.template?.kind === "ref") {
    const tt = cx.refs.get("TriggerTemplate", ns, spec.template.ref);
    templateName = spec.template.ref;
    if (tt === undefined) {
      const reason = `TriggerTemplate "${spec.template.ref}" not found in namespace "${ns}"`;
      cx.issues.push(referenceError(spec.template.loc, reason));
      problems.push(reason);
    } else {
      template = cx.templates.get(tt) ?? compileTemplate(tt.spec, tt.metadata.annotations);
      cx.templates.set(tt, template);
    }
  }
  if (problems.length > 0 || template === undefined || "reason" in interceptors) {
    return { kind: "broken", reason: problems.join("; ") || "the trigger has no template" };
  }
  const authenticator = chainAuthenticator(interceptors, cx.chainAuthenticators);
  const dispatch = compileDispatchPlan(interceptors, cx.dispatchFacts, cx.dispatchSteps);
  return {
    kind: "plan",
    interceptors,
    bindings: [...inline, ...tbs, ...ctbs],
    template,
    templateName,
    serviceAccountName: spec.serviceAccountName,
    ...(authenticator === undefined ? {} : { authenticator }),
    ...(dispatch === undefined ? {} : { dispatch }),
  };
}

/** One binding param's value, compiled once per param (an error reported once). */
export function compileBindingParam(
  param: Pick<Param, "name" | "value" | "valueLoc">,
  from: string,
  cx: CompileContext,
): CompiledBindingParam | undefined {
  if (cx.bindingParams.has(param)) return cx.bindingParams.get(param);
  let out: CompiledBindingParam | undefined;
  try {
    out = { name: param.name, value: compileBindingValue(param.value), from };
  } catch (err) {
    cx.issues.push(documentError(param.valueLoc, `invalid value: ${(err as Error).message}`));
  }
  cx.bindingParams.set(param, out);
  return out;
}
