import type {
  CompiledFact,
  CompiledTrigger,
  DecidingFact,
  DispatchBucket,
  DispatchPlan,
} from "../config/compiled.js";
import { describeRuledOut } from "../core/ruled-out-by.js";
import type { Header } from "../core/incoming-event.js";
import { isRecord } from "../interceptors/sdk/param-value.js";
import type { EventChecks, Verdict } from "./event-checks.js";
import type { RuledOutBy, TriggerTrace } from "./types.js";

/** What the dispatch index says of one trigger for one event. */
export type Ruling =
  /** Run it: the index cannot tell (or the trigger may apply). */
  | { kind: "run" }
  /**
   * It does not apply: `interceptor`'s step would have stopped it on `ruledOutBy`, and an
   * exhaustive run gives the same outcome (see docs/architecture.md, "The dispatch index").
   * `authenticated`: the steps before it that verified the sender (their authenticators passed).
   */
  | {
      kind: "ruledOut";
      interceptor: string;
      ruledOutBy: RuledOutBy;
      authenticated: readonly string[];
    };

const RUN: Ruling = { kind: "run" };
const NONE: string[] = [];

/** The event as the index looks at it: what a trigger's chain starts from. */
export interface EventView {
  readonly header: Header;
  /** The chain's body (after Tekton's form conversion) and its parse. */
  readonly body: Buffer;
  readonly bodyJSON: () => unknown;
  readonly checks: EventChecks;
}

/**
 * The per-event side of the dispatch index: the values a plan's facts look at, each read once
 * per event (a body path, the parsed body), and `ruleOut` for one trigger's plan.
 */
export interface EventDispatch {
  ruleOut(plan: DispatchPlan, namespace: string): Ruling | Promise<Ruling>;
  /** The ruling of a bucket's members (compileDispatchIndex) from one walk of its plan. */
  ruleOutBucket(bucket: DispatchBucket): BucketRuling | Promise<BucketRuling>;
}

/** What the dispatch index says of a bucket's members for one event. */
export type BucketRuling =
  /** The same for every member: the walk stopped before the deciding fact, or it was undecided. */
  | { kind: "all"; ruling: Ruling }
  /**
   * The deciding value is `seen`: the members at `accepting` (positions in `members`) go on to
   * `rest`; every other member is ruled out by its own deciding fact (`ruledOutByFact`) at step
   * `interceptor`, after the steps that `authenticated` the sender.
   */
  | {
      kind: "split";
      seen: string;
      accepting: readonly number[];
      rest: Ruling;
      interceptor: string;
      authenticated: readonly string[];
    };

/** Where a bucket's walk reached its deciding fact, with the steps that authenticated before. */
interface Reached {
  kind: "reached";
  authenticated: string[];
}

/** What a member's deciding fact says when the event's value there is `seen` and not accepted. */
export function ruledOutByFact(fact: DecidingFact, seen: string): RuledOutBy {
  let subject = subjects.get(fact);
  if (subject === undefined) {
    subject = fact.kind === "body" ? subjectOf(fact.path) : `header ${fact.header}`;
    subjects.set(fact, subject);
  }
  return { fact: "filter", seen, expected: fact.values, subject };
}

/** A fact's subject, built once per compiled fact rather than once per event and trigger. */
const subjects = new WeakMap<DecidingFact, string>();

/** Not a JSON object as cel sees one: a body fact cannot be decided. */
const NOT_AN_OBJECT = Symbol("not an object");
/** A body path that is not there (or goes through something other than an object). */
const ABSENT = Symbol("absent");

export function createEventDispatch(view: EventView): EventDispatch {
  let root: Record<string, unknown> | typeof NOT_AN_OBJECT | undefined;
  const bodyRoot = (): Record<string, unknown> | typeof NOT_AN_OBJECT => {
    if (root !== undefined) return root;
    // The cel interceptor's reading: an empty body and `null` are {}, anything else must parse
    // to an object (or the interceptor fails, which the trigger's run records).
    if (view.body.length === 0) return (root = {});
    let value: unknown;
    try {
      value = view.bodyJSON();
    } catch {
      return (root = NOT_AN_OBJECT);
    }
    if (value === null) return (root = {});
    return (root = isRecord(value) ? value : NOT_AN_OBJECT);
  };
  const values = new Map<string, unknown>();
  const bodyValue = (path: readonly string[], key: string): unknown => {
    if (values.has(key)) return values.get(key);
    let at: unknown = bodyRoot();
    for (const name of path) {
      at = isRecord(at) && Object.hasOwn(at, name) ? at[name] : ABSENT;
      if (at === ABSENT) break;
    }
    values.set(key, at);
    return at;
  };

  /** An event's header by its canonical name: Go's Header.Get ("" when absent). */
  const headerValue = (canonical: string): string =>
    (Object.hasOwn(view.header, canonical) ? view.header[canonical]?.[0] : undefined) ?? "";
  /** Each distinct fact (one object per config: compileDispatchPlan) is checked once per event. */
  const answers = new Map<CompiledFact, true | undefined | RuledOutBy>();
  const checked = (fact: CompiledFact): true | undefined | RuledOutBy => {
    if (answers.has(fact)) return answers.get(fact);
    const answer = check(fact);
    answers.set(fact, answer);
    return answer;
  };
  /** The value a body or header fact compares; undefined when it cannot decide (not a string). */
  const decidingValue = (fact: DecidingFact): string | undefined => {
    if (fact.kind === "header") return headerValue(fact.canonical);
    const seen = bodyValue(fact.path, fact.pathKey);
    return typeof seen === "string" ? seen : undefined;
  };
  /** The fact's verdict: true, undecided, or what ruled the trigger out. */
  const check = (fact: CompiledFact): true | undefined | RuledOutBy => {
    switch (fact.kind) {
      case "eventType": {
        const value = Object.hasOwn(view.header, fact.canonical)
          ? view.header[fact.canonical]?.[0]
          : undefined;
        const seen = value ?? "";
        if (fact.eventTypes.includes(seen)) return true;
        return value === undefined && fact.provider !== undefined
          ? { fact: "provider", seen: "", expected: fact.provider, header: fact.header }
          : { fact: "eventType", seen, expected: fact.eventTypes, header: fact.header };
      }
      case "header":
      case "body": {
        const seen = decidingValue(fact);
        if (seen === undefined) return undefined;
        if (fact.values.includes(seen)) return true;
        return ruledOutByFact(fact, seen);
      }
      case "bodyHas": {
        const list = bodyValue(fact.path, fact.pathKey);
        if (!Array.isArray(list) || !list.every((i) => typeof i === "string")) return undefined;
        if (list.includes(fact.value)) return true;
        return {
          fact: "filter",
          seen: list.join(", "),
          expected: [fact.value],
          subject: subjectOf(fact.path),
        };
      }
    }
  };

  /**
   * Walks the plan from step `from`; synchronous until a step's authenticator has no verdict yet
   * (the first trigger behind a secret waits for it, the others find it settled).
   */
  function walk(
    plan: DispatchPlan,
    namespace: string,
    from: number,
    authenticated: string[],
  ): Ruling | Promise<Ruling>;
  function walk(
    plan: DispatchPlan,
    namespace: string,
    from: number,
    authenticated: string[],
    at: Position,
  ): Ruling | Reached | Promise<Ruling | Reached>;
  /**
   * `at`: a bucket's walk stops where its deciding fact is (Reached), or goes on from just after
   * it (`resume`: that step's `unless` and `parsesBody` were checked before it).
   */
  function walk(
    plan: DispatchPlan,
    namespace: string,
    from: number,
    authenticated: string[],
    at?: Position,
  ): Ruling | Reached | Promise<Ruling | Reached> {
    for (let i = from; i < plan.steps.length; i++) {
      const step = plan.steps[i];
      if (step === undefined) break;
      const resuming = at?.resume === true && i === at.step;
      if (!resuming) {
        for (const u of step.unless) if (headerValue(u.header) === u.value) return RUN;
        if (step.parsesBody && bodyRoot() === NOT_AN_OBJECT) return RUN;
      }
      for (let j = resuming ? at.fact + 1 : 0; j < step.requires.length; j++) {
        if (at !== undefined && !at.resume && i === at.step && j === at.fact)
          return { kind: "reached", authenticated };
        const fact = step.requires[j];
        if (fact === undefined) break;
        const verdict = checked(fact);
        if (verdict !== true && verdict !== undefined)
          return {
            kind: "ruledOut",
            interceptor: step.interceptor,
            ruledOutBy: verdict,
            authenticated,
          };
      }
      switch (step.then.kind) {
        case "continues":
          break;
        case "authenticates": {
          const { authenticator } = step.then;
          const known = view.checks.settled(authenticator, namespace);
          const next = (v: Verdict): Ruling | Reached | Promise<Ruling | Reached> =>
            v.kind === "pass"
              ? at === undefined
                ? walk(plan, namespace, i + 1, [...authenticated, step.interceptor])
                : walk(plan, namespace, i + 1, [...authenticated, step.interceptor], at)
              : RUN;
          if (known !== undefined) return next(known);
          return view.checks.verdict(authenticator, namespace).then((a) => next(a.verdict));
        }
        case "opaque":
          return RUN;
      }
    }
    return RUN;
  }
  const ruleOut = (plan: DispatchPlan, namespace: string): Ruling | Promise<Ruling> =>
    walk(plan, namespace, 0, NONE);

  const ruleOutBucket = (bucket: DispatchBucket): BucketRuling | Promise<BucketRuling> => {
    const { plan, namespace, step, fact } = bucket;
    const split = (r: Ruling | Reached): BucketRuling | Promise<BucketRuling> => {
      if (r.kind !== "reached") return { kind: "all", ruling: r };
      const first = bucket.members[0];
      // Members look at the same path or header: the first one's fact reads the value for all.
      const seen = first === undefined ? undefined : decidingValue(first.decides);
      const rest = walk(plan, namespace, step, r.authenticated, { step, fact, resume: true });
      // (A resumed walk never stops at the fact again: it only goes on from after it.)
      const then = (after: Ruling | Reached): BucketRuling => {
        const rest = after.kind === "reached" ? RUN : after;
        return seen === undefined
          ? { kind: "all", ruling: rest }
          : {
              kind: "split",
              seen,
              accepting: bucket.byValue.get(seen) ?? NO_MEMBERS,
              rest,
              interceptor: plan.steps[step]?.interceptor ?? "",
              authenticated: r.authenticated,
            };
      };
      return "then" in rest ? rest.then(then) : then(rest);
    };
    const reached = walk(plan, namespace, 0, NONE, { step, fact, resume: false });
    return "then" in reached ? reached.then(split) : split(reached);
  };
  return { ruleOut, ruleOutBucket };
}

/** A place in a plan: `plan.steps[step].requires[fact]`; see `walk`. */
interface Position {
  step: number;
  fact: number;
  resume: boolean;
}

const NO_MEMBERS: readonly number[] = [];

/** `body.repository.full_name`, or `body["a-b"]` for keys that are not identifiers. */
function subjectOf(path: readonly string[]): string {
  return path.reduce(
    (s, key) =>
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${s}.${key}` : `${s}[${JSON.stringify(key)}]`,
    "body",
  );
}

/**
 * The trace of a trigger the index ruled out: no interceptor ran but the authenticating steps the
 * index checked (so that the event counts as authenticated as it would have), the outcome
 * not_applicable with the fact and no `interceptor` (none ran to find it).
 */
export function ruledOutTrace(
  t: CompiledTrigger,
  ruling: Extract<Ruling, { kind: "ruledOut" }>,
  group: string | undefined,
): TriggerTrace {
  return {
    trigger: t.name,
    namespace: t.namespace,
    triggerId: t.id,
    ...(group === undefined ? {} : { group }),
    via: group === undefined ? t.via : "group",
    interceptors: ruling.authenticated.map((interceptor) => ({
      interceptor,
      outcome: "continue" as const,
      authenticated: true as const,
      durationMs: 0,
    })),
    extensions: {},
    params: [],
    outcome: {
      kind: "not_applicable",
      ruledOutBy: ruling.ruledOutBy,
      message: describeRuledOut(ruling.ruledOutBy),
    },
    durationMs: 0,
  };
}
