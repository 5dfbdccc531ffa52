import { createHash } from "node:crypto";
import { compileBindingValue } from "../bindings/index.js";
import { parseTimeout } from "../interceptors/remote/parse-timeout.js";
import { resolveInterceptorTarget } from "../interceptors/remote/resolve-interceptor-target.js";
import {
  DEFAULT_INTERCEPTOR_TIMEOUT_MS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  TIMEOUT_ANNOTATION,
  WEBHOOK_TIMEOUT_ANNOTATION,
  type RemoteTarget,
  type WebhookHeader,
} from "../interceptors/remote/types.js";
import { compileTemplate } from "../templates/compile-template.js";
import type { CompiledTemplate } from "../templates/types.js";
import type { DecodedConfig } from "./load-config.js";
import { documentError, note, referenceError } from "./issues.js";
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
  WebhookStep,
} from "./compiled.js";
import type {
  ClusterInterceptor,
  ConfigIssue,
  ConfigObject,
  EventListener,
  Interceptor,
  LabelSelector,
  Loc,
  NamespaceSelector,
  Param,
  Trigger,
  TriggerInterceptor,
  TriggerSpec,
  TriggerTemplate,
} from "./types.js";

type ByKind = { [K in ConfigObject["kind"]]: Map<string, Extract<ConfigObject, { kind: K }>> };

/** The object a chain is written in, for its `hookline.dev/webhook-timeout` annotation. */
interface ChainOwner {
  annotations: Readonly<Record<string, string>>;
  loc: Loc;
}

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
  private readonly remoteTargets = new Map<
    Interceptor | ClusterInterceptor,
    RemoteTarget | { reason: string }
  >();
  private readonly webhookTimeouts = new Map<ChainOwner, number>();

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
    for (const ic of [
      ...this.index.Interceptor.values(),
      ...this.index.ClusterInterceptor.values(),
    ]) {
      if (this.decoded.builtinNames.has(ic.metadata.name))
        this.issues.push(
          note(
            ic.loc,
            `${ic.kind} "${ic.metadata.name}" is not called: refs to "${ic.metadata.name}" run hookline's in-process interceptor of that name`,
          ),
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
        plan: this.compileTriggerSpec(t, ns, ns, this.ownerOf(el)),
      });
    }
    const groups = el.spec.triggerGroups.map((g): CompiledGroup => {
      const selected = this.selectTriggers(
        ns,
        g.triggerSelector.namespaceSelector,
        g.triggerSelector.labelSelector,
      );
      const interceptors = this.compileInterceptors(g.interceptors, ns, this.ownerOf(el));
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
      cloudEventURI: el.spec.cloudEventURI,
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
      plan = this.compileTriggerSpec(t.spec, ns, ns, this.ownerOf(t));
      this.triggerPlans.set(t, plan);
    }
    return { name: t.metadata.name, namespace: ns, id: triggerId(ns, t.metadata.name), via, plan };
  }

  private compileTriggerSpec(
    spec: TriggerSpec,
    ns: string,
    elNamespace: string,
    owner: ChainOwner,
  ): TriggerPlan | BrokenTrigger {
    const problems: string[] = [];
    const interceptors = this.compileInterceptors(spec.interceptors, elNamespace, owner);
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

  /**
   * Names resolve in this order: the core interceptors (github, gitlab, bitbucket, slack, cel),
   * then plug-ins (both compiled at decode time, whatever the ref's kind), then Interceptor /
   * ClusterInterceptor resources, which are called over HTTP.
   */
  private compileInterceptors(
    list: readonly TriggerInterceptor[],
    elNamespace: string,
    owner: ChainOwner,
  ): InterceptorStep[] | { reason: string } {
    const steps: InterceptorStep[] = [];
    for (const i of list) {
      if (i.kind === "webhook") {
        steps.push(this.compileWebhook(i, elNamespace, owner));
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
      if (this.decoded.builtinNames.has(i.ref.name)) {
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
        const target = this.remoteTarget(defined);
        if ("reason" in target) {
          steps.push({ kind: "unavailable", name: i.ref.name, reason: target.reason });
          continue;
        }
        const params: Record<string, unknown> = {};
        for (const p of i.params) params[p.name] = p.value;
        steps.push({
          kind: "remote",
          name: i.ref.name,
          resource: `${defined.kind} ${qualifiedName(defined.metadata.namespace, defined.metadata.name)}`,
          target,
          params,
        });
        continue;
      }
      const reason =
        i.ref.kind === "ClusterInterceptor"
          ? `ClusterInterceptor "${i.ref.name}" not found (nor a core interceptor or plug-in of that name)`
          : `NamespacedInterceptor "${i.ref.name}" not found in namespace "${elNamespace}"`;
      this.issues.push(referenceError({ ...i.loc, field: `${i.loc.field}.ref.name` }, reason));
      return { reason };
    }
    return steps;
  }

  /** An Interceptor/ClusterInterceptor's URL, CA and timeout, worked out once per object. */
  private remoteTarget(obj: Interceptor | ClusterInterceptor): RemoteTarget | { reason: string } {
    const known = this.remoteTargets.get(obj);
    if (known !== undefined) return known;
    const name = `${obj.kind} "${qualifiedName(obj.metadata.namespace, obj.metadata.name)}"`;
    let out: RemoteTarget | { reason: string };
    const timeoutText = obj.metadata.annotations[TIMEOUT_ANNOTATION];
    const timeoutMs =
      timeoutText === undefined ? DEFAULT_INTERCEPTOR_TIMEOUT_MS : parseTimeout(timeoutText);
    if (timeoutMs === undefined) {
      const message = `invalid timeout "${timeoutText ?? ""}": use e.g. 3s or 500ms`;
      this.issues.push(
        documentError(
          { ...obj.loc, field: `metadata.annotations["${TIMEOUT_ANNOTATION}"]` },
          message,
        ),
      );
      out = { reason: `${name}: ${message}` };
    } else {
      const target = resolveInterceptorTarget(obj.spec.clientConfig, timeoutMs);
      if ("message" in target) {
        this.issues.push(documentError({ ...obj.loc, field: target.field }, target.message));
        out = { reason: `${name}: ${target.message}` };
      } else {
        out = target;
      }
    }
    this.remoteTargets.set(obj, out);
    return out;
  }

  /** Tekton's legacy `webhook:` interceptor: `url`, or `objectRef` to a v1 Service (port 80). */
  private compileWebhook(
    i: Extract<TriggerInterceptor, { kind: "webhook" }>,
    namespace: string,
    owner: ChainOwner,
  ): WebhookStep | { kind: "unavailable"; name: string; reason: string } {
    const name = i.name ?? "webhook";
    const fail = (
      field: string,
      message: string,
    ): { kind: "unavailable"; name: string; reason: string } => {
      this.issues.push(
        documentError({ ...i.loc, field: `${i.loc.field}.webhook${field}` }, message),
      );
      return { kind: "unavailable", name, reason: message };
    };
    let url: string;
    const ref = i.webhook.objectRef;
    if (i.webhook.url !== undefined) {
      url = i.webhook.url;
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
        return fail(".url", `invalid URL "${url}": an absolute http or https URL is needed`);
      url = parsed.href;
    } else if (ref !== undefined) {
      const refName = ref["name"];
      const refNamespace = ref["namespace"];
      if (
        ref["kind"] !== "Service" ||
        ref["apiVersion"] !== "v1" ||
        typeof refName !== "string" ||
        refName === ""
      )
        return fail(
          ".objectRef",
          "invalid objectRef: it must name a Service (kind: Service, apiVersion: v1)",
        );
      const ns = typeof refNamespace === "string" && refNamespace !== "" ? refNamespace : namespace;
      url = `http://${refName}.${ns}.svc/`;
    } else {
      return fail("", "missing field(s): webhook needs url or objectRef");
    }
    const header: WebhookHeader[] = [];
    for (const [n, h] of i.webhook.header.entries()) {
      const parsed = parseWebhookHeader(h);
      if (typeof parsed === "string") return fail(`.header[${n}]`, parsed);
      header.push(parsed);
    }
    const timeoutMs = this.webhookTimeout(owner);
    return { kind: "webhook", name, target: { url, timeoutMs }, header };
  }

  private webhookTimeout(owner: ChainOwner): number {
    const known = this.webhookTimeouts.get(owner);
    if (known !== undefined) return known;
    const text = owner.annotations[WEBHOOK_TIMEOUT_ANNOTATION];
    let ms = text === undefined ? DEFAULT_WEBHOOK_TIMEOUT_MS : parseTimeout(text);
    if (ms === undefined) {
      this.issues.push(
        documentError(
          { ...owner.loc, field: `metadata.annotations["${WEBHOOK_TIMEOUT_ANNOTATION}"]` },
          `invalid timeout "${text ?? ""}": use e.g. 3s or 500ms`,
        ),
      );
      ms = DEFAULT_WEBHOOK_TIMEOUT_MS;
    }
    this.webhookTimeouts.set(owner, ms);
    return ms;
  }

  private readonly owners = new Map<object, ChainOwner>();

  /** One ChainOwner per object, so its annotation is checked (and reported) once. */
  private ownerOf(obj: EventListener | Trigger): ChainOwner {
    let owner = this.owners.get(obj);
    if (owner === undefined) {
      owner = { annotations: obj.metadata.annotations, loc: obj.loc };
      this.owners.set(obj, owner);
    }
    return owner;
  }
}

/** A `webhook.header` entry: `{name, value}` with a string or a list of strings. */
function parseWebhookHeader(h: unknown): WebhookHeader | string {
  if (typeof h !== "object" || h === null || Array.isArray(h))
    return "a header entry must be an object with name and value";
  const { name, value, ...rest } = h as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0)
    return `unknown field "${extra[0] ?? ""}": a header entry has name and value`;
  if (typeof name !== "string" || name === "") return "missing field: name";
  if (typeof value === "string") return { name, values: [value], replaceWith: "one" };
  if (Array.isArray(value) && value.every((v): v is string => typeof v === "string"))
    return { name, values: value, replaceWith: "list" };
  return `header "${name}": value must be a string or a list of strings`;
}

function qualifiedName(namespace: string, name: string): string {
  return namespace === "" ? name : `${namespace}/${name}`;
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
