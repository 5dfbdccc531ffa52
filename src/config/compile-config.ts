import { createHash } from "node:crypto";
import { compileBindingValue } from "../bindings/index.js";
import { compileTemplate } from "../templates/compile-template.js";
import type { CompiledTemplate } from "../templates/types.js";
import type { DecodedConfig } from "./load-config.js";
import { documentError, referenceError, warning } from "./issues.js";
import { matchesLabelSelector } from "./decode-selectors.js";
import type {
  BrokenTrigger,
  CompiledBindingParam,
  CompiledConfig,
  CompiledGroup,
  CompiledListener,
  CompiledTrigger,
  InterceptorStep,
  TriggerPlan,
} from "./compiled.js";
import type {
  ConfigIssue,
  ConfigObject,
  EventListener,
  LabelSelector,
  NamespaceSelector,
  Param,
  Trigger,
  TriggerInterceptor,
  TriggerSpec,
  TriggerTemplate,
} from "./types.js";

type ByKind = { [K in ConfigObject["kind"]]: Map<string, Extract<ConfigObject, { kind: K }>> };

/** Resolves references, evaluates selectors and compiles bindings and templates. */
export function compileConfig(decoded: DecodedConfig): CompiledConfig {
  return new Compiler(decoded).run();
}

class Compiler {
  private readonly issues: ConfigIssue[];
  private readonly index: ByKind = {
    EventListener: new Map(),
    Trigger: new Map(),
    TriggerBinding: new Map(),
    ClusterTriggerBinding: new Map(),
    TriggerTemplate: new Map(),
    Interceptor: new Map(),
    ClusterInterceptor: new Map(),
    Secret: new Map(),
  };
  private readonly triggerPlans = new Map<Trigger, TriggerPlan | BrokenTrigger>();
  private readonly templates = new Map<TriggerTemplate, CompiledTemplate>();
  private readonly bindingParams = new Map<object, CompiledBindingParam | undefined>();

  constructor(private readonly decoded: DecodedConfig) {
    this.issues = [...decoded.issues];
    for (const obj of decoded.objects)
      (this.index[obj.kind] as Map<string, ConfigObject>).set(
        key(obj.metadata.namespace, obj.metadata.name),
        obj,
      );
  }

  run(): CompiledConfig {
    for (const tb of [
      ...this.index.TriggerBinding.values(),
      ...this.index.ClusterTriggerBinding.values(),
    ]) {
      for (const p of tb.spec.params)
        this.compileParam(
          p,
          `${tb.kind} ${tb.metadata.namespace === "" ? "" : `${tb.metadata.namespace}/`}${tb.metadata.name}`,
        );
    }
    const listeners = [...this.index.EventListener.values()].map((el) => this.compileListener(el));
    const secrets = new Map<string, Record<string, Buffer>>();
    for (const s of this.index.Secret.values())
      secrets.set(key(s.metadata.namespace, s.metadata.name), s.data);
    const counts: Record<string, number> = {};
    for (const [kind, map] of Object.entries(this.index)) counts[kind] = map.size;
    return { listeners, secrets, issues: this.issues, counts };
  }

  private compileListener(el: EventListener): CompiledListener {
    const ns = el.metadata.namespace;
    const triggers: CompiledTrigger[] = [];
    for (const t of this.selectTriggers(ns, el.spec.namespaceSelector, el.spec.labelSelector)) {
      triggers.push(this.fromTriggerObject(t, "selector"));
    }
    for (const t of el.spec.triggers) {
      if (t.triggerRef !== undefined) {
        const found = this.index.Trigger.get(key(ns, t.triggerRef.name));
        if (found !== undefined) {
          triggers.push(this.fromTriggerObject(found, "triggerRef"));
        } else {
          const reason = `Trigger "${t.triggerRef.name}" not found in namespace "${ns}"`;
          this.issues.push(referenceError(t.triggerRef.loc, reason));
          triggers.push({
            name: t.triggerRef.name,
            namespace: ns,
            id: triggerId(ns, t.triggerRef.name),
            via: "triggerRef",
            plan: { kind: "broken", reason },
          });
        }
        continue;
      }
      const name = t.name ?? "";
      triggers.push({
        name,
        namespace: ns,
        id: triggerId(ns, name),
        via: "inline",
        plan: this.compileTriggerSpec(t, ns, ns),
      });
    }
    const groups = el.spec.triggerGroups.map((g): CompiledGroup => {
      const selected = this.selectTriggers(
        ns,
        g.triggerSelector.namespaceSelector,
        g.triggerSelector.labelSelector,
      );
      const interceptors = this.compileInterceptors(g.interceptors, ns);
      return {
        name: g.name,
        id: `namespaces/${ns}/triggerGroups/${g.name}`,
        interceptors:
          "reason" in interceptors
            ? [{ kind: "unavailable", name: "group", reason: interceptors.reason }]
            : interceptors,
        triggers: selected.map((t) => this.fromTriggerObject(t, "group")),
      };
    });
    const annotations = el.metadata.annotations;
    return {
      name: el.metadata.name,
      namespace: ns,
      uid: el.metadata.uid ?? stableUid(ns, el.metadata.name),
      payloadValidation: annotations["tekton.dev/payload-validation"] !== "false",
      reply: annotations["hookline.dev/reply"] === "tekton" ? "tekton" : "honest",
      triggers,
      groups,
    };
  }

  /** Tekton's selectTriggers (TEKTON-SPEC §2.2 step 4). */
  private selectTriggers(
    elNamespace: string,
    nsSel: NamespaceSelector | undefined,
    labelSel: LabelSelector | undefined,
  ): Trigger[] {
    if (nsSel === undefined && labelSel === undefined) return [];
    const names = nsSel?.matchNames ?? [elNamespace];
    const all = names.includes("*");
    return [...this.index.Trigger.values()].filter(
      (t) =>
        (all || names.includes(t.metadata.namespace)) &&
        (labelSel === undefined || matchesLabelSelector(labelSel, t.metadata.labels)),
    );
  }

  private fromTriggerObject(t: Trigger, via: CompiledTrigger["via"]): CompiledTrigger {
    const ns = t.metadata.namespace;
    let plan = this.triggerPlans.get(t);
    if (plan === undefined) {
      plan = this.compileTriggerSpec(t.spec, ns, ns);
      this.triggerPlans.set(t, plan);
    }
    return { name: t.metadata.name, namespace: ns, id: triggerId(ns, t.metadata.name), via, plan };
  }

  private compileTriggerSpec(
    spec: TriggerSpec,
    ns: string,
    elNamespace: string,
  ): TriggerPlan | BrokenTrigger {
    const problems: string[] = [];
    const interceptors = this.compileInterceptors(spec.interceptors, elNamespace);
    if ("reason" in interceptors) problems.push(interceptors.reason);
    const bindings: CompiledBindingParam[] = [];
    const inline: CompiledBindingParam[] = [];
    const tbs: CompiledBindingParam[] = [];
    const ctbs: CompiledBindingParam[] = [];
    for (const b of spec.bindings) {
      if (b.kind === "inline") {
        const p = this.compileParam(b, "inline");
        if (p !== undefined) inline.push(p);
        continue;
      }
      const obj =
        b.bindingKind === "TriggerBinding"
          ? this.index.TriggerBinding.get(key(ns, b.ref))
          : this.index.ClusterTriggerBinding.get(key("", b.ref));
      if (obj === undefined) {
        const reason = `${b.bindingKind} "${b.ref}" not found${b.bindingKind === "TriggerBinding" ? ` in namespace "${ns}"` : ""}`;
        this.issues.push(referenceError(b.loc, reason));
        problems.push(reason);
        continue;
      }
      const from = `${b.bindingKind} ${obj.metadata.namespace === "" ? "" : `${obj.metadata.namespace}/`}${obj.metadata.name}`;
      for (const param of obj.spec.params) {
        const p = this.compileParam(param, from);
        if (p !== undefined) (b.bindingKind === "TriggerBinding" ? tbs : ctbs).push(p);
      }
    }
    bindings.push(...inline, ...tbs, ...ctbs);
    let template: CompiledTemplate | undefined;
    let templateName: string | undefined;
    if (spec.template?.kind === "inline") {
      template = compileTemplate(spec.template.spec, {});
    } else if (spec.template?.kind === "ref") {
      const tt = this.index.TriggerTemplate.get(key(ns, spec.template.ref));
      templateName = spec.template.ref;
      if (tt === undefined) {
        const reason = `TriggerTemplate "${spec.template.ref}" not found in namespace "${ns}"`;
        this.issues.push(referenceError(spec.template.loc, reason));
        problems.push(reason);
      } else {
        template = this.templates.get(tt) ?? compileTemplate(tt.spec, tt.metadata.annotations);
        this.templates.set(tt, template);
      }
    }
    if (problems.length > 0 || template === undefined || "reason" in interceptors) {
      return { kind: "broken", reason: problems.join("; ") || "the trigger has no template" };
    }
    return {
      kind: "plan",
      interceptors,
      bindings,
      template,
      templateName,
      serviceAccountName: spec.serviceAccountName,
    };
  }

  private compileParam(
    param: Pick<Param, "name" | "value" | "valueLoc">,
    from: string,
  ): CompiledBindingParam | undefined {
    if (this.bindingParams.has(param)) return this.bindingParams.get(param);
    let out: CompiledBindingParam | undefined;
    try {
      out = { name: param.name, value: compileBindingValue(param.value), from };
    } catch (err) {
      this.issues.push(documentError(param.valueLoc, `invalid value: ${(err as Error).message}`));
    }
    this.bindingParams.set(param, out);
    return out;
  }

  private compileInterceptors(
    list: readonly TriggerInterceptor[],
    elNamespace: string,
  ): InterceptorStep[] | { reason: string } {
    const steps: InterceptorStep[] = [];
    for (const i of list) {
      if (i.kind === "webhook") {
        const reason = "webhook interceptors are not supported yet";
        this.issues.push(warning(i.loc, reason));
        steps.push({ kind: "unavailable", name: i.name ?? "webhook", reason });
        continue;
      }
      const compiled = this.decoded.compiled.get(i);
      if (compiled !== undefined) {
        steps.push({
          kind: "builtin",
          name: i.ref.name,
          interceptor: compiled.interceptor,
          params: compiled.params,
        });
        continue;
      }
      if (i.ref.kind === "ClusterInterceptor" && this.decoded.builtinNames.has(i.ref.name)) {
        // Its params failed to compile: a document error already says where.
        steps.push({
          kind: "unavailable",
          name: i.ref.name,
          reason: `the ${i.ref.name} interceptor's params are invalid`,
        });
        continue;
      }
      const defined =
        i.ref.kind === "ClusterInterceptor"
          ? this.index.ClusterInterceptor.get(key("", i.ref.name))
          : this.index.Interceptor.get(key(elNamespace, i.ref.name));
      if (defined !== undefined) {
        const reason = `${i.ref.kind} "${i.ref.name}" is a remote interceptor; remote interceptors are not supported yet`;
        this.issues.push(warning({ ...i.loc, field: `${i.loc.field}.ref` }, reason));
        steps.push({ kind: "unavailable", name: i.ref.name, reason });
        continue;
      }
      const reason = `${i.ref.kind} "${i.ref.name}" not found`;
      this.issues.push(referenceError({ ...i.loc, field: `${i.loc.field}.ref.name` }, reason));
      return { reason };
    }
    return steps;
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function triggerId(ns: string, name: string): string {
  return `namespaces/${ns}/triggers/${name}`;
}

/** A UUID-shaped id that stays the same for the same listener across restarts. */
function stableUid(namespace: string, name: string): string {
  const h = createHash("sha1").update(`hookline:EventListener:${namespace}/${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
