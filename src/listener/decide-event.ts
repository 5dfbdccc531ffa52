import type {
  CompiledGroup,
  CompiledListener,
  CompiledTrigger,
  DispatchBucket,
  DispatchIndex,
} from "../config/compiled.js";
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
  mergeRuledOut,
  ruledOutPart,
  type RuledOutEntry,
  type RuledOutPart,
} from "./ruled-out-parts.js";
import { ruledOutCounts } from "./ruled-out-counts.js";
import {
  createEventDispatch,
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
  // The index's buckets first: the members a bucket rules out are one shared part (built once
  // per bucket and value), with no trace, no promise and no walk of their own (see
  // docs/architecture.md, "The dispatch index").
  const own = new Map<number, Promise<TriggerTrace>>();
  const parts: RuledOutPart[] = [];
  /** Buckets whose walk waits for a verdict: their members are settled when it comes. */
  const waiting: { bucket: DispatchBucket; settled: boolean; done: Promise<void> }[] = [];
  let authenticatedByIndex = false;
  const index =
    listener.dispatchIndex?.triggers === listener.triggers ? listener.dispatchIndex : undefined;
  const debug = deps.log.isLevelEnabled("debug");
  let late = false;
  const settle = (bucket: DispatchBucket, ruling: BucketRuling): void => {
    if (late) return; // After the deadline its members were recorded as timed out.
    const apply = (position: number, r: Ruling): void => {
      const m = bucket.members[position];
      const t = m === undefined ? undefined : listener.triggers[m.index];
      if (m === undefined || t === undefined) return;
      own.set(
        m.index,
        r.kind === "ruledOut"
          ? Promise.resolve(ruledOutTrace(t, r, undefined))
          : runIt(t, start, deps.trace),
      );
    };
    if (ruling.kind === "all") {
      bucket.members.forEach((_, position) => apply(position, ruling.ruling));
      return;
    }
    for (const position of ruling.accepting) apply(position, ruling.rest);
    if (ruling.authenticated.length > 0) authenticatedByIndex = true;
    const part = ruledOutPart(bucket, listener.triggers, ruling.seen, ruling.accepting);
    if (part.list.length > 0) parts.push(part);
    if (debug) logRuledOut(deps.log, listener, part, ruling);
  };
  for (const bucket of index?.buckets ?? []) {
    const ruling = dispatch.ruleOutBucket(bucket);
    if (!("then" in ruling)) {
      settle(bucket, ruling);
      continue;
    }
    // Not settled yet (the first walk behind a secret): the members wait for it together.
    const w = { bucket, settled: false, done: Promise.resolve() };
    w.done = ruling.then((b) => {
      w.settled = true;
      settle(bucket, b);
    });
    waiting.push(w);
  }
  for (const i of unbucketedOf(listener, index)) {
    const t = listener.triggers[i];
    if (t !== undefined) own.set(i, run(t, start, deps.trace));
  }
  /** The own triggers' runs in trigger order (after the waiting buckets settled). */
  const ordered = (): [number, Promise<TriggerTrace>][] =>
    [...own.entries()].sort((a, b) => a[0] - b[0]);
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

  const ownTraces = Promise.all(waiting.map((w) => w.done)).then(() =>
    Promise.all(ordered().map(async ([i, p]) => [i, await p] as const)),
  );
  const all = Promise.all([ownTraces, Promise.all(groupRuns)]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), deps.deadlineMs);
  });
  let settled = await Promise.race([all, deadline]);
  clearTimeout(timer);
  if (settled === undefined) {
    abort.abort();
    late = true;
    // The members of a bucket still waiting for its verdict had not started: timed out each.
    const unsettled = new Set<number>();
    for (const w of waiting)
      if (!w.settled) for (const m of w.bucket.members) unsettled.add(m.index);
    settled = await settleLate(
      listener,
      ordered(),
      unsettled,
      groupRuns,
      deps.deadlineMs,
      progress,
    );
  }
  const [ownDone, groupDone] = settled;
  const traces: TriggerTrace[] = [];
  const others: RuledOutEntry[] = [];
  const groupRuledOut: NotApplicableTrigger[] = [];
  let authenticated = authenticatedByIndex;
  const keep = (t: TriggerTrace, ruledOut: (entry: NotApplicableTrigger) => void): void => {
    if (!authenticated && t.interceptors.some((i) => i.authenticated === true))
      authenticated = true;
    if (t.outcome.kind === "not_applicable")
      ruledOut({ trigger: t.trigger, ruledOutBy: t.outcome.ruledOutBy });
    else traces.push(t);
  };
  for (const [i, t] of ownDone) keep(t, (entry) => others.push({ index: i, entry }));
  for (const t of groupDone.flat()) keep(t, (entry) => groupRuledOut.push(entry));
  const ownRuledOut = mergeRuledOut(index, parts, others);
  const notApplicable =
    groupRuledOut.length === 0 ? ownRuledOut : [...ownRuledOut, ...groupRuledOut];
  if (deps.rateLimiter !== undefined) applyRateLimits(listener, traces, deps.rateLimiter);
  for (const t of traces) logOutcome(deps.log, t);
  return decisionFrom(listener, traces, notApplicable, authenticated);
}

/** The triggers of a listener that no bucket of its index holds (all of them without one). */
const unbucketed = new WeakMap<DispatchIndex, readonly number[]>();
function unbucketedOf(
  listener: CompiledListener,
  index: DispatchIndex | undefined,
): readonly number[] {
  if (index === undefined) return listener.triggers.map((_, i) => i);
  let out = unbucketed.get(index);
  if (out === undefined) {
    const held = new Set<number>();
    for (const b of index.buckets) for (const m of b.members) held.add(m.index);
    out = listener.triggers.flatMap((_, i) => (held.has(i) ? [] : [i]));
    unbucketed.set(index, out);
  }
  return out;
}

/** At debug only: a line per member a bucket ruled out, as a trigger's own walk would write. */
function logRuledOut(
  log: Logger,
  listener: CompiledListener,
  part: RuledOutPart,
  ruling: Extract<BucketRuling, { kind: "split" }>,
): void {
  part.list.forEach((n, k) => {
    const t = listener.triggers[part.indexes[k] ?? -1];
    if (t === undefined) return;
    const ruledOut: Extract<Ruling, { kind: "ruledOut" }> = {
      kind: "ruledOut",
      interceptor: ruling.interceptor,
      ruledOutBy: n.ruledOutBy,
      authenticated: ruling.authenticated,
    };
    logOutcome(triggerLog(log, t), ruledOutTrace(t, ruledOut, undefined));
  });
}

/** A trigger's trace, or a bucket member the dispatch index ruled out (no trace of its own). */
type Entry = TriggerTrace | NotApplicableTrigger;

/**
 * The listener's decision from its triggers' traces (the auth-first gate's): the not-applicable
 * ones are kept apart as `{trigger, ruledOutBy}`, their traces dropped.
 */
export function decisionOf(listener: CompiledListener, traces: readonly Entry[]): EventDecision {
  const triggers: TriggerTrace[] = [];
  const notApplicable: NotApplicableTrigger[] = [];
  for (const t of traces) {
    if (!("outcome" in t)) notApplicable.push(t);
    else if (t.outcome.kind === "not_applicable")
      notApplicable.push({ trigger: t.trigger, ruledOutBy: t.outcome.ruledOutBy });
    else triggers.push(t);
  }
  return decisionFrom(
    listener,
    triggers,
    notApplicable,
    traces.some((t) => "outcome" in t && t.interceptors.some((i) => i.authenticated === true)),
  );
}

/** The decision from the triggers that ran and the (maybe shared) not-applicable list. */
function decisionFrom(
  listener: CompiledListener,
  triggers: TriggerTrace[],
  notApplicable: readonly NotApplicableTrigger[],
  authenticated: boolean,
): EventDecision {
  // 401: a signature or token check rejected the event, and every other trigger was not for this
  // event (another event type or provider), so nothing that applies to it let the sender through.
  // A trigger the dispatch index ruled out by its filter is not: run, its filter would have said
  // no (`filtered`), and a filter that says no stands in the way of the 401 as before.
  const unauthenticated =
    triggers.length > 0 &&
    triggers.every((t) => t.outcome.kind === "rejected") &&
    ruledOutCounts(notApplicable).byFact.filter === undefined;
  return {
    listener: { name: listener.name, namespace: listener.namespace, uid: listener.uid },
    triggers,
    notApplicable,
    unauthenticated,
    authenticated,
  };
}

/** After the deadline: what finished is kept, the rest is recorded as timed out. */
async function settleLate(
  listener: CompiledListener,
  runs: readonly (readonly [number, Promise<TriggerTrace>])[],
  unsettled: ReadonlySet<number>,
  groupRuns: Promise<TriggerTrace[]>[],
  afterMs: number,
  progress: ReadonlyMap<CompiledTrigger | CompiledGroup, ChainProgress>,
): Promise<[(readonly [number, TriggerTrace])[], TriggerTrace[][]]> {
  const pending = Symbol("pending");
  const peek = async <T>(p: Promise<T>): Promise<T | typeof pending> =>
    Promise.race([p, Promise.resolve(pending)]);
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
  const own: (readonly [number, TriggerTrace])[] = [];
  for (const [i, run] of runs) {
    const r = await peek(run);
    const t = listener.triggers[i];
    if (r !== pending) own.push([i, r]);
    else if (t !== undefined) own.push([i, timedOut(t)]);
  }
  for (const i of unsettled) {
    const t = listener.triggers[i];
    if (t !== undefined) own.push([i, timedOut(t)]);
  }
  if (unsettled.size > 0) own.sort((a, b) => a[0] - b[0]);
  const groups: TriggerTrace[][] = [];
  for (const [i, run] of groupRuns.entries()) {
    const r = await peek(run);
    const g = listener.groups[i];
    if (r !== pending) groups.push(r);
    else if (g !== undefined) groups.push(g.triggers.map((t) => timedOut(t, g)));
  }
  return [own, groups];
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
