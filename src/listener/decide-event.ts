import type { CompiledGroup, CompiledListener, CompiledTrigger } from "../config/compiled.js";
import type { EventBudgetLimits, SecretResolver } from "../interceptors/types.js";
import { createEventBudget } from "../interceptors/event-budget.js";
import { runChain, type ChainProgress } from "../interceptors/run-chain.js";
import type { Logger } from "../core/logger.js";
import type { RateLimiter } from "../concurrency/token-bucket.js";
import { assertNever } from "../errors/assert-never.js";
import { applyRateLimits } from "./apply-rate-limits.js";
import { startSpan, type SpanParent } from "../core/span-parent.js";
import type { PreparedEvent } from "./prepare-event.js";
import { createEventChecks, type EventChecks } from "./event-checks.js";
import {
  createEventDispatch,
  ruledOutByFact,
  ruledOutTrace,
  type BucketRuling,
  type Ruling,
} from "./rule-out-trigger.js";
import { runTrigger, stopOutcome, type TriggerStart } from "./run-trigger.js";
import type { EventDecision, NotApplicableTrigger, TriggerTrace } from "./types.js";

export interface DecideDeps {
  secrets: SecretResolver;
  log: Logger;
  /** A trigger still running after this long is recorded as timed out (DEFAULT_DEADLINE_MS in settings/defaults.ts, 8 s, is under GitHub's 10 s). */
  deadlineMs: number;
  /** The event's CPU budget for CPU-bound interceptors (cel); `eventBudgetLimits` by default. */
  eventBudgetLimits?: Partial<EventBudgetLimits>;
  /** Where each trigger's span goes; undefined: tracing is off. */
  trace?: SpanParent | undefined;
  /** The event's signature and token checks, shared with the auth-first gate. */
  checks?: EventChecks;
  /**
   * The process's `hookline.dev/rate-limit` buckets; undefined: no limit applies (dry-run and
   * replay have none, src/listener/apply-rate-limits.ts).
   */
  rateLimiter?: RateLimiter | undefined;
}

/**
 * Runs every trigger of a listener — inline, triggerRef, selected, and those of trigger groups —
 * concurrently and independently (one trigger's failure never stops another), within a deadline.
 * The triggers share one CPU budget (`EventBudget`): cel expressions of all of them draw on it and
 * pause through it, so that the event loop serves other events meanwhile and the deadline can stop
 * an expensive event between two expressions.
 */
export async function decideEvent(
  listener: CompiledListener,
  event: PreparedEvent,
  deps: DecideDeps,
): Promise<EventDecision> {
  const abort = new AbortController();
  const eventBudget = createEventBudget(deps.eventBudgetLimits);
  const start: TriggerStart = { listenerName: listener.name, header: event.header, extensions: {} };
  // The dispatch index: a trigger its plan rules out is recorded as not applicable, never run.
  const dispatch = createEventDispatch({
    header: event.header,
    body: event.chainBody,
    bodyJSON: event.chainBodyJSON,
    checks: deps.checks ?? createEventChecks(event, deps),
  });
  // Where each chain is, for the trace of a trigger the deadline stops (a trigger's, a group's).
  const progress = new Map<CompiledTrigger | CompiledGroup, ChainProgress>();
  const progressOf = (of: CompiledTrigger | CompiledGroup): ChainProgress => {
    const p: ChainProgress = { running: undefined, trace: [] };
    progress.set(of, p);
    return p;
  };
  const runIt = (
    t: CompiledTrigger,
    from: TriggerStart,
    trace: SpanParent | undefined,
  ): Promise<TriggerTrace> =>
    runTrigger(t, event, from, {
      secrets: deps.secrets,
      signal: abort.signal,
      log: triggerLog(deps.log, t),
      eventBudget,
      trace,
      progress: progressOf(t),
    });
  const run = (
    t: CompiledTrigger,
    from: TriggerStart,
    trace: SpanParent | undefined,
  ): Promise<TriggerTrace> => {
    if (t.plan.kind !== "plan" || t.plan.dispatch === undefined) return runIt(t, from, trace);
    const decide = (ruling: Ruling): TriggerTrace | Promise<TriggerTrace> =>
      ruling.kind === "ruledOut" ? ruledOutTrace(t, ruling, from.group) : runIt(t, from, trace);
    const ruling = dispatch.ruleOut(t.plan.dispatch, t.namespace);
    return "then" in ruling ? ruling.then(decide) : Promise.resolve(decide(ruling));
  };
  // The index's buckets first: a member its bucket rules out is recorded straight away, with no
  // trace, no promise and no walk of its own (see docs/architecture.md, "The dispatch index").
  const runs: (Promise<TriggerTrace> | undefined)[] = new Array<undefined>(
    listener.triggers.length,
  );
  const ruledOutAt: (NotApplicableTrigger | undefined)[] = [];
  let authenticatedByIndex = false;
  const index =
    listener.dispatchIndex?.triggers === listener.triggers ? listener.dispatchIndex : undefined;
  for (const bucket of index?.buckets ?? []) {
    const of = (position: number): CompiledTrigger | undefined => {
      const m = bucket.members[position];
      return m === undefined ? undefined : listener.triggers[m.index];
    };
    const apply = (t: CompiledTrigger, ruling: Ruling): Promise<TriggerTrace> =>
      ruling.kind === "ruledOut"
        ? Promise.resolve(ruledOutTrace(t, ruling, undefined))
        : runIt(t, start, deps.trace);
    const ruling = dispatch.ruleOutBucket(bucket);
    if ("then" in ruling) {
      // Not settled yet (the first walk behind a secret): each member waits for it on its own.
      const rulingOf = (position: number, b: BucketRuling): Ruling => {
        if (b.kind === "all") return b.ruling;
        if (b.accepting.includes(position)) return b.rest;
        const m = bucket.members[position];
        return m === undefined
          ? RUN_IT
          : {
              kind: "ruledOut",
              interceptor: b.interceptor,
              ruledOutBy: ruledOutByFact(m.decides, b.seen),
              authenticated: b.authenticated,
            };
      };
      bucket.members.forEach((m, position) => {
        const t = of(position);
        if (t !== undefined) runs[m.index] = ruling.then((b) => apply(t, rulingOf(position, b)));
      });
      continue;
    }
    if (ruling.kind === "all") {
      bucket.members.forEach((m, position) => {
        const t = of(position);
        if (t !== undefined) runs[m.index] = apply(t, ruling.ruling);
      });
      continue;
    }
    for (const position of ruling.accepting) {
      const m = bucket.members[position];
      const t = of(position);
      if (m !== undefined && t !== undefined) runs[m.index] = apply(t, ruling.rest);
    }
    if (ruling.authenticated.length > 0) authenticatedByIndex = true;
    const debug = deps.log.isLevelEnabled("debug");
    for (const m of bucket.members) {
      const t = listener.triggers[m.index];
      if (t === undefined || runs[m.index] !== undefined) continue;
      const ruledOutBy = ruledOutByFact(m.decides, ruling.seen);
      ruledOutAt[m.index] = { trigger: t.name, ruledOutBy };
      if (debug)
        logOutcome(
          triggerLog(deps.log, t),
          ruledOutTrace(
            t,
            {
              kind: "ruledOut",
              interceptor: ruling.interceptor,
              ruledOutBy,
              authenticated: ruling.authenticated,
            },
            undefined,
          ),
        );
    }
  }
  listener.triggers.forEach((t, i) => {
    if (runs[i] === undefined && ruledOutAt[i] === undefined) runs[i] = run(t, start, deps.trace);
  });
  const running: Promise<TriggerTrace>[] = [];
  for (const r of runs) if (r !== undefined) running.push(r);
  const runGroup = async (
    group: CompiledGroup,
    trace: SpanParent | undefined,
  ): Promise<TriggerTrace[]> => {
    const chain = await runChain(
      group.interceptors,
      {
        body: event.chainBody,
        rawBody: event.rawBody,
        bodyJSON: event.chainBodyJSON,
        header: event.header,
        extensions: {},
        context: { event_url: event.url, event_id: event.eventId, trigger_id: group.id },
      },
      {
        secrets: deps.secrets,
        receivedAt: event.receivedAt,
        namespace: listener.namespace,
        log: deps.log.child({ triggerGroup: group.name }),
        signal: abort.signal,
        eventBudget,
        trace,
        progress: progressOf(group),
      },
    );
    if (chain.kind !== "continue") {
      return group.triggers.map((t): TriggerTrace => {
        const outcome: TriggerTrace["outcome"] =
          chain.kind === "stop"
            ? stopOutcome(chain)
            : {
                kind: "failed",
                stage: "interceptor",
                message: `${chain.interceptor}: ${chain.message}`,
              };
        return {
          trigger: t.name,
          namespace: t.namespace,
          triggerId: t.id,
          group: group.name,
          via: "group",
          interceptors: chain.trace,
          extensions: {},
          params: [],
          outcome,
          durationMs: 0,
        };
      });
    }
    const groupStart: TriggerStart = {
      listenerName: listener.name,
      header: chain.header,
      extensions: chain.extensions,
      // Tekton hands the group's final body on (with no group interceptors, the raw one).
      ...(group.interceptors.length > 0 ? { body: { raw: chain.body, json: chain.bodyJSON } } : {}),
      group: group.name,
    };
    // A group with interceptors has its own chain's body and header: its triggers always run.
    const traces = await Promise.all(
      group.triggers.map((t) =>
        group.interceptors.length === 0 ? run(t, groupStart, trace) : runIt(t, groupStart, trace),
      ),
    );
    for (const tr of traces) tr.interceptors = [...chain.trace, ...tr.interceptors];
    return traces;
  };
  const groupRuns = listener.groups.map(async (group): Promise<TriggerTrace[]> => {
    const groupSpan =
      deps.trace === undefined
        ? undefined
        : startSpan(deps.trace, `trigger group ${group.name}`, {
            attributes: {
              "hookline.trigger_group": group.name,
              "hookline.event_id": event.eventId,
            },
          });
    try {
      return await runGroup(group, groupSpan?.child);
    } finally {
      groupSpan?.span.end();
    }
  });

  /** The traces in trigger order, with the members the index ruled out in their places. */
  const inOrder = (traces: readonly TriggerTrace[]): Entry[] => {
    if (ruledOutAt.length === 0) return [...traces];
    const out: Entry[] = [];
    let next = 0;
    for (let i = 0; i < runs.length; i++) {
      const ruled = ruledOutAt[i];
      if (ruled !== undefined) out.push(ruled);
      else if (runs[i] !== undefined) {
        const trace = traces[next++];
        if (trace !== undefined) out.push(trace);
      }
    }
    return out;
  };
  const all = Promise.all([Promise.all(running), Promise.all(groupRuns)]).then(([a, b]) => [
    ...inOrder(a),
    ...b.flat(),
  ]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), deps.deadlineMs);
  });
  let entries = await Promise.race([all, deadline]);
  clearTimeout(timer);
  if (entries === undefined) {
    abort.abort();
    const late = await settleLate(listener, runs, groupRuns, deps.deadlineMs, progress);
    // settleLate keeps trigger order, skipping the members ruled out by the index.
    const groupTraces = late.slice(running.length);
    entries = [...inOrder(late.slice(0, running.length)), ...groupTraces];
  }
  if (deps.rateLimiter !== undefined)
    applyRateLimits(
      listener,
      entries.filter((t): t is TriggerTrace => "outcome" in t),
      deps.rateLimiter,
    );
  for (const t of entries) if ("outcome" in t) logOutcome(deps.log, t);
  return decisionOf(listener, entries, authenticatedByIndex);
}

/** A trigger's trace, or a bucket member the dispatch index ruled out (no trace of its own). */
type Entry = TriggerTrace | NotApplicableTrigger;

const RUN_IT: Ruling = { kind: "run" };

/**
 * The listener's decision from its triggers' traces (the auth-first gate's too): the
 * not-applicable ones are kept apart as `{trigger, ruledOutBy}`, their traces dropped.
 */
export function decisionOf(
  listener: CompiledListener,
  traces: readonly Entry[],
  authenticatedByIndex = false,
): EventDecision {
  const triggers: TriggerTrace[] = [];
  const notApplicable: NotApplicableTrigger[] = [];
  for (const t of traces) {
    if (!("outcome" in t)) notApplicable.push(t);
    else if (t.outcome.kind === "not_applicable")
      notApplicable.push({ trigger: t.trigger, ruledOutBy: t.outcome.ruledOutBy });
    else triggers.push(t);
  }
  // 401: a signature or token check rejected the event, and every other trigger was not for this
  // event (another event type or provider), so nothing that applies to it let the sender through.
  const unauthenticated =
    triggers.length > 0 &&
    triggers.every((t) => t.outcome.kind === "rejected") &&
    notApplicable.every((n) => isNotForEvent(n));
  return {
    listener: { name: listener.name, namespace: listener.namespace, uid: listener.uid },
    triggers,
    notApplicable,
    unauthenticated,
    authenticated:
      authenticatedByIndex ||
      traces.some((t) => "outcome" in t && t.interceptors.some((i) => i.authenticated === true)),
  };
}

/**
 * Not applicable in the 401 rule's sense: another event type or provider. A trigger the dispatch
 * index ruled out by its filter is not: run, its filter would have said no (`filtered`), and a
 * filter that says no stands in the way of the 401 as before.
 */
function isNotForEvent(n: NotApplicableTrigger): boolean {
  return n.ruledOutBy.fact !== "filter";
}

/** After the deadline: what finished is kept, the rest is recorded as timed out. */
async function settleLate(
  listener: CompiledListener,
  runs: readonly (Promise<TriggerTrace> | undefined)[],
  groupRuns: Promise<TriggerTrace[]>[],
  afterMs: number,
  progress: ReadonlyMap<CompiledTrigger | CompiledGroup, ChainProgress>,
): Promise<TriggerTrace[]> {
  const pending = Symbol("pending");
  const peek = async <T>(p: Promise<T>): Promise<T | typeof pending> =>
    Promise.race([p, Promise.resolve(pending)]);
  const out: TriggerTrace[] = [];
  // The trace says where it was: the interceptors that ended, and the one still running (its URL
  // when remote) — a group's chain first, then the trigger's own.
  const timedOut = (t: CompiledTrigger, group?: CompiledGroup): TriggerTrace => {
    const own = progress.get(t);
    const shared = group === undefined ? undefined : progress.get(group);
    const running = own?.running ?? (own === undefined ? shared?.running : undefined);
    return {
      trigger: t.name,
      namespace: t.namespace,
      triggerId: t.id,
      ...(group === undefined ? {} : { group: group.name }),
      via: group === undefined ? t.via : "group",
      interceptors: [...(shared?.trace ?? []), ...(own?.trace ?? [])],
      extensions: {},
      params: [],
      outcome: { kind: "timedOut", afterMs, ...running },
      durationMs: afterMs,
    };
  };
  for (const [i, run] of runs.entries()) {
    if (run === undefined) continue; // ruled out by the index: not a run
    const r = await peek(run);
    const t = listener.triggers[i];
    if (r !== pending) out.push(r);
    else if (t !== undefined) out.push(timedOut(t));
  }
  for (const [i, run] of groupRuns.entries()) {
    const r = await peek(run);
    const g = listener.groups[i];
    if (r !== pending) out.push(...r);
    else if (g !== undefined) out.push(...g.triggers.map((t) => timedOut(t, g)));
  }
  return out;
}

function triggerLog(log: Logger, t: CompiledTrigger): Logger {
  return log.child({ trigger: t.name, triggerNamespace: t.namespace });
}

/**
 * One trigger's line: at info for a trigger that fired, warn for a rejected sender, error for our
 * side failing; a filtered or not-applicable trigger at debug only (the event's summary line,
 * written by the caller, counts them), so that a thousand triggers are not a thousand lines.
 */
export function logOutcome(log: Logger, t: TriggerTrace): void {
  const o = t.outcome;
  // A thousand triggers that did not apply build no fields for lines nobody writes.
  if ((o.kind === "filtered" || o.kind === "not_applicable") && !log.isLevelEnabled("debug"))
    return;
  const fields = {
    trigger: t.trigger,
    triggerNamespace: t.namespace,
    outcome: o.kind,
    durationMs: t.durationMs,
  };
  switch (o.kind) {
    case "fired":
      log.info("trigger fired", { ...fields, resources: o.resources.length });
      break;
    case "filtered":
      log.debug("trigger filtered", {
        ...fields,
        interceptor: o.interceptor,
        code: o.code,
        reason: o.message,
      });
      break;
    case "not_applicable":
      log.debug("trigger did not apply", {
        ...fields,
        ruledOutBy: o.ruledOutBy.fact,
        reason: o.message,
      });
      break;
    case "rejected":
      log.warn("interceptor rejected event", {
        ...fields,
        interceptor: o.interceptor,
        code: o.code,
        reason: o.message,
      });
      break;
    case "failed":
      log.error("trigger failed", {
        ...fields,
        stage: o.stage,
        ...(o.code === undefined ? {} : { code: o.code }),
        reason: o.message,
      });
      break;
    case "timedOut":
      log.error("trigger timed out", {
        ...fields,
        afterMs: o.afterMs,
        ...(o.interceptor === undefined ? {} : { interceptor: o.interceptor }),
        ...(o.url === undefined ? {} : { url: o.url }),
      });
      break;
    case "rateLimited":
      log.info("trigger rate limited", { ...fields, limit: o.limit, scope: o.scope });
      break;
    default:
      assertNever(o);
  }
}
