import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { resolveParams, type ParamSource } from "../bindings/index.js";
import { assertNever } from "../errors/assert-never.js";
import type { CompiledTrigger, TriggerPlan } from "../config/compiled.js";
import { describeError } from "../errors/hookline-error.js";
import { describeRuledOut } from "../core/ruled-out-by.js";
import { runChain, type ChainProgress, type ChainResult } from "../interceptors/run-chain.js";
import type { EventBudget, SecretResolver } from "../interceptors/types.js";
import type { Logger } from "../core/logger.js";
import { SpanStatusCode, startSpan, type Span, type SpanParent } from "../core/span-parent.js";
import { renderTemplate } from "../templates/render-template.js";
import { checkRenderedConcurrency } from "../concurrency/plan-concurrency.js";
import type { PreparedEvent } from "./prepare-event.js";
import type { TriggerTrace } from "./types.js";

export interface TriggerDeps {
  secrets: SecretResolver;
  log: Logger;
  signal: AbortSignal;
  /** The event's CPU budget, shared by every trigger of the event. */
  eventBudget: EventBudget;
  /** Where the trigger's span goes; undefined: tracing is off. */
  trace?: SpanParent | undefined;
  /** Kept up to date with the interceptor running now, for a trace past the deadline. */
  progress?: ChainProgress | undefined;
}

/** Where a trigger starts: the event's own header and no extensions, or a group's result. */
export interface TriggerStart {
  listenerName: string;
  header: Readonly<Record<string, readonly string[]>>;
  extensions: Readonly<Record<string, unknown>>;
  /** A trigger group's body after its interceptors (a `webhook:` one may have replaced it). */
  body?: { raw: Buffer; json: () => unknown };
  group?: string;
}

/**
 * One trigger, start to finish: interceptors → bindings → template. Never throws: every way it
 * can end is a TriggerOutcome in the trace. Resources are rendered here; the caller records
 * them in the journal as planned runs, and the delivery worker creates them.
 */
export async function runTrigger(
  trigger: CompiledTrigger,
  event: PreparedEvent,
  start: TriggerStart,
  deps: TriggerDeps,
): Promise<TriggerTrace> {
  const began = performance.now();
  const trace: TriggerTrace = {
    trigger: trigger.name,
    namespace: trigger.namespace,
    triggerId: trigger.id,
    via: trigger.via,
    interceptors: [],
    extensions: { ...start.extensions },
    params: [],
    outcome: { kind: "failed", stage: "config", message: "not run" },
    durationMs: 0,
  };
  if (start.group !== undefined) trace.group = start.group;
  const span =
    deps.trace === undefined
      ? undefined
      : startSpan(deps.trace, `trigger ${trigger.name}`, {
          attributes: {
            "hookline.trigger": trigger.name,
            "hookline.trigger.namespace": trigger.namespace,
            "hookline.listener": start.listenerName,
            "hookline.event_id": event.eventId,
          },
        });
  const finish = (outcome: TriggerTrace["outcome"]): TriggerTrace => {
    trace.outcome = outcome;
    trace.durationMs = Math.round((performance.now() - began) * 1000) / 1000;
    if (span !== undefined) endTriggerSpan(span.span, outcome);
    return trace;
  };
  const plan = trigger.plan;
  if (plan.kind === "broken")
    return finish({ kind: "failed", stage: "config", message: plan.reason });

  // With no interceptors Tekton passes the body on untouched (no form conversion), nor when the
  // first is a legacy webhook and no extensions came in (TEKTON-SPEC §2.5).
  const first = plan.interceptors[0];
  const raw =
    first === undefined || (first.kind === "webhook" && Object.keys(start.extensions).length === 0);
  const chainBody = start.body?.raw ?? (raw ? event.rawBody : event.chainBody);
  const chainBodyJSON = start.body?.json ?? (raw ? event.bodyJSON : event.chainBodyJSON);
  let chain: ChainResult = {
    kind: "continue",
    extensions: { ...start.extensions },
    body: chainBody,
    bodyJSON: chainBodyJSON,
    header: start.header,
    trace: [],
  };
  if (plan.interceptors.length > 0) {
    chain = await runChain(
      plan.interceptors,
      {
        body: chainBody,
        rawBody: event.rawBody,
        bodyJSON: chainBodyJSON,
        header: start.header,
        extensions: start.extensions,
        context: { event_url: event.url, event_id: event.eventId, trigger_id: trigger.id },
      },
      {
        secrets: deps.secrets,
        receivedAt: event.receivedAt,
        namespace: trigger.namespace,
        log: deps.log,
        signal: deps.signal,
        eventBudget: deps.eventBudget,
        trace: span?.child,
        progress: deps.progress,
      },
    );
  }
  trace.interceptors = chain.trace;
  switch (chain.kind) {
    case "stop":
      return finish(stopOutcome(chain));
    case "error":
      return finish({
        kind: "failed",
        stage: "interceptor",
        message: `${chain.interceptor}: ${chain.message}`,
      });
    case "continue":
      trace.extensions = chain.extensions;
      break;
  }

  let body: unknown;
  try {
    body = chain.bodyJSON();
  } catch (err) {
    return finish({
      kind: "failed",
      stage: "bindings",
      message: `failed to unmarshal request body: ${describeError(err)}`,
    });
  }
  const { header } = chain;
  let joined: Record<string, string> | undefined;
  const resolved = resolveParams({
    bindings: plan.bindings,
    templateParams: plan.template.params,
    event: {
      body,
      // Joined when a binding reads a header: most read only the body and the extensions.
      get header() {
        return (joined ??= joinHeader(header));
      },
      extensions: chain.extensions,
      context: { eventID: event.eventId },
    },
    oldEscapeQuotes: plan.template.oldEscapeQuotes,
  });
  if (!resolved.ok)
    return finish({ kind: "failed", stage: "bindings", message: resolved.error.message });
  const from = bindingSources(plan);
  trace.params = resolved.params.map((p) => ({
    name: p.name,
    value: p.value,
    source: describeSource(p.source, from.get(p.name)),
  }));

  try {
    const resources = renderTemplate(plan.template, {
      params: new Map(resolved.params.map((p) => [p.name, p.value])),
      uid: randomUUID(),
      eventId: event.eventId,
      eventListener: start.listenerName,
      trigger: trigger.name,
      namespace: trigger.namespace,
    });
    // A concurrency annotation written with a param is checked once its value is known.
    const invalid = checkRenderedConcurrency(resources);
    if (invalid !== undefined)
      return finish({ kind: "failed", stage: "template", message: invalid });
    return finish({ kind: "fired", resources });
  } catch (err) {
    return finish({ kind: "failed", stage: "template", message: describeError(err) });
  }
}

/**
 * The trigger span's outcome: its kind, the interceptor that stopped it and its code, the stage
 * that failed. Never a message: one may quote the payload (a CEL error) or a header.
 */
function endTriggerSpan(span: Span, outcome: TriggerTrace["outcome"]): void {
  span.setAttribute("hookline.outcome", outcome.kind);
  switch (outcome.kind) {
    case "fired":
      span.setAttribute("hookline.resources", outcome.resources.length);
      break;
    case "not_applicable":
      // The fact only: what was seen is a header value or the payload's.
      span.setAttribute("hookline.ruled_out_by", outcome.ruledOutBy.fact);
      if (outcome.interceptor !== undefined)
        span.setAttribute("hookline.interceptor", outcome.interceptor);
      break;
    case "filtered":
    case "rejected":
      span.setAttributes({
        "hookline.interceptor": outcome.interceptor,
        "hookline.interceptor.code": outcome.code,
      });
      break;
    case "failed":
      span.setAttribute("hookline.stage", outcome.stage);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `failed in ${outcome.stage}` });
      break;
    case "timedOut":
      span.setStatus({ code: SpanStatusCode.ERROR, message: "timed out" });
      break;
    case "rateLimited":
      // Not set by runTrigger (the limit is applied once every trigger ran): listed for the switch.
      span.setAttribute("hookline.rate_limit", outcome.limit);
      break;
    default:
      assertNever(outcome);
  }
  span.end();
}

/**
 * How an interceptor's "no" reads: an interceptor that could not make its check (a secret that
 * exists nowhere: Tekton's FAILED_PRECONDITION `error getting secret`) is the trigger failing, with
 * hookline's code; a failed signature or token is a rejection; an event the trigger
 * is not for (an unlisted event type, another provider's) is not applicable; FAILED_PRECONDITION
 * is Tekton's code for a filter that said no (a false CEL filter); any other
 * code (INVALID_ARGUMENT for a CEL evaluation error, say) is the trigger failing on our side.
 */
export function stopOutcome(
  chain: Extract<ChainResult, { kind: "stop" }>,
): TriggerTrace["outcome"] {
  const { interceptor, code, message } = chain;
  if (chain.failure !== undefined)
    return {
      kind: "failed",
      stage: "interceptor",
      message: `${interceptor}: ${code}: ${message}`,
      code: chain.failure.code,
    };
  if (chain.authFailure) return { kind: "rejected", interceptor, code, message };
  if (chain.notApplicable) {
    // A plug-in that says "not for this trigger" without the fact: its message stands for it.
    const ruledOutBy = chain.ruledOutBy ?? { fact: "interceptor", seen: message, interceptor };
    return {
      kind: "not_applicable",
      ruledOutBy,
      message: describeRuledOut(ruledOutBy),
      interceptor,
    };
  }
  if (code === "FAILED_PRECONDITION") return { kind: "filtered", interceptor, code, message };
  return { kind: "failed", stage: "interceptor", message: `${interceptor}: ${code}: ${message}` };
}

const sourcesByPlan = new WeakMap<TriggerPlan, ReadonlyMap<string, string>>();

/** Where each binding param of a plan comes from: worked out once per loaded plan, not per event. */
function bindingSources(plan: TriggerPlan): ReadonlyMap<string, string> {
  let sources = sourcesByPlan.get(plan);
  if (sources === undefined) {
    sources = new Map(plan.bindings.map((b) => [b.name, b.from]));
    sourcesByPlan.set(plan, sources);
  }
  return sources;
}

/** Bindings see each header as one string, values joined with "," (TEKTON-SPEC §0.3). */
function joinHeader(header: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  // fromEntries defines the keys: a header named `__proto__` stays a key.
  return Object.fromEntries(Object.entries(header).map(([k, v]) => [k, v.join(",")]));
}

/** `TriggerBinding default/github-push: $(body.after)`, `default`, or why the default was used. */
function describeSource(source: ParamSource, from: string | undefined): string {
  switch (source.kind) {
    case "binding":
      return `${from ?? "binding"}: ${source.expression}`;
    case "default":
      return "TriggerTemplate default";
    case "binding-default":
      return `TriggerTemplate default, since ${from ?? "binding"}: ${source.expression} failed: ${source.reason}`;
    default:
      return assertNever(source);
  }
}
