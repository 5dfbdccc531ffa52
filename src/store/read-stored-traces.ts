import { describeRuledOut, type RuledOutBy } from "../core/ruled-out-by.js";
import type { NotApplicableTrigger, TriggerTrace } from "../listener/types.js";
import type { StoredEvent } from "./types.js";
import {
  isPackedNotApplicable,
  unpackNotApplicable,
  type PackedNotApplicable,
} from "./pack-not-applicable.js";
import {
  isNotApplicableSetRef,
  setRefOf,
  type NotApplicableSet,
  type NotApplicableSetRef,
} from "./not-applicable-set.js";

/** One entry of an event's `traces` column, as any version wrote it. */
export type StoredTraceEntry =
  TriggerTrace | NotApplicableTrigger | PackedNotApplicable | NotApplicableSetRef;

/** The list of a set the column names (a journal's SetRecord over its set rows). */
export type ResolveSet = (id: string) => readonly NotApplicableTrigger[];

/**
 * What the journals keep in an event's `traces` column: the traces of the triggers that ran,
 * then the triggers the event was not for. One column, so that rows of every version read the
 * same way and a run's trace index still points into the traces. Version 3 (this one) names the
 * event's not-applicable set (`{v: 3, set, n}`, src/store/not-applicable-set.ts); version 2 held
 * the list packed inline (`{v: 2, groups}`, src/store/pack-not-applicable.ts); rows written
 * before hold one `{trigger, ruledOutBy}` entry each (no `outcome` key: that tells them apart).
 */
export function storedTraceColumnWithSet<T>(
  traces: readonly T[],
  set: NotApplicableSet | undefined,
): readonly (T | NotApplicableSetRef)[] {
  return set === undefined ? traces : [...traces, setRefOf(set)];
}

/**
 * The column read back: the traces (old rows upgraded) and the not-applicable entries, apart. A
 * set's list is given as `resolve` parsed it (shared by the events of the set, not copied).
 */
export function readStoredTraceColumn(
  column: readonly StoredTraceEntry[],
  resolve?: ResolveSet,
): Pick<StoredEvent, "traces" | "notApplicable"> {
  const traces: TriggerTrace[] = [];
  const notApplicable: NotApplicableTrigger[] = [];
  let shared: readonly NotApplicableTrigger[] | undefined;
  for (const entry of column) {
    if ("outcome" in entry) traces.push(entry);
    else if (isNotApplicableSetRef(entry)) {
      const list = resolve?.(entry.set) ?? [];
      if (shared === undefined && notApplicable.length === 0) shared = list;
      else for (const n of list) notApplicable.push(n);
    } else if (isPackedNotApplicable(entry))
      for (const n of unpackNotApplicable(entry)) notApplicable.push(n);
    else notApplicable.push(entry);
  }
  const all =
    shared === undefined
      ? notApplicable
      : notApplicable.length === 0
        ? shared
        : [...shared, ...notApplicable];
  return all.length === 0
    ? { traces: readStoredTraces(traces) }
    : { traces: readStoredTraces(traces), notApplicable: all };
}

/** The event-type header each built-in provider interceptor checks. */
const EVENT_HEADER: Readonly<Record<string, { header: string; provider: string }>> = {
  github: { header: "X-GitHub-Event", provider: "github" },
  gitlab: { header: "X-Gitlab-Event", provider: "gitlab" },
  bitbucket: { header: "X-Event-Key", provider: "bitbucket" },
};

/**
 * Traces as the journal returns them. Rows written before `not_applicable` was an outcome of its
 * own say `{kind: "filtered", notApplicable: true}` with Tekton's "event type X is not allowed":
 * they read as `not_applicable`, the fact recovered from the message and the interceptor's name.
 */
export function readStoredTraces(traces: TriggerTrace[]): TriggerTrace[] {
  if (!traces.some(isOldNotApplicable)) return traces;
  return traces.map((t) => (isOldNotApplicable(t) ? { ...t, outcome: upgrade(t.outcome) } : t));
}

interface OldNotApplicable {
  kind: "filtered";
  interceptor: string;
  message: string;
  notApplicable: true;
}

function isOldNotApplicable(t: TriggerTrace): boolean {
  const o = t.outcome as unknown as Partial<OldNotApplicable>;
  return o.kind === "filtered" && o.notApplicable === true;
}

function upgrade(outcome: TriggerTrace["outcome"]): TriggerTrace["outcome"] {
  const old = outcome as unknown as OldNotApplicable;
  const known = EVENT_HEADER[old.interceptor];
  const type = /^event type (.*) is not allowed$/s.exec(old.message)?.[1];
  // The old rows kept neither the trigger's event types nor whether the header was absent:
  // an empty type is read as another provider's event (the usual cause), the list as unknown.
  const ruledOutBy: RuledOutBy =
    known === undefined || type === undefined
      ? { fact: "interceptor", seen: old.message, interceptor: old.interceptor }
      : type === ""
        ? { fact: "provider", seen: "", expected: known.provider, header: known.header }
        : { fact: "eventType", seen: type, expected: [], header: known.header };
  return {
    kind: "not_applicable",
    ruledOutBy,
    message: describeRuledOut(ruledOutBy),
    interceptor: old.interceptor,
  };
}
