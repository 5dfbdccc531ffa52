import type { RuledOutBy } from "../core/ruled-out-by.js";
import type { NotApplicableTrigger } from "../listener/types.js";

/**
 * The not-applicable triggers as the journals store them (version 2): entries that share what
 * ruled them out — the fact, what was seen, the header or subject — are one group, and each
 * trigger keeps only its name and, when the group's triggers want different values, its own
 * `expected`. With 5,000 triggers for 5,000 repositories an event's list is one group, about a
 * fifth of the bytes of the `{trigger, ruledOutBy}` array rows written before (which still read).
 */
export interface PackedNotApplicable {
  v: 2;
  groups: PackedGroup[];
}

export interface PackedGroup {
  /** The shared fact; without `expected` when each trigger has its own (then `expected` below). */
  ruledOutBy: SharedRuledOutBy;
  triggers: string[];
  /** Each trigger's `expected`, in `triggers` order, when they are not all the same. */
  expected?: (readonly string[])[];
  /** Each trigger's place in the whole list, when the groups one after another are not its order. */
  at?: number[];
}

type Listed = Extract<RuledOutBy, { expected: readonly string[] }>;
type WithoutExpected<T> = T extends unknown ? Omit<T, "expected"> : never;
type SharedRuledOutBy = RuledOutBy | WithoutExpected<Listed>;

/** Whether a stored entry is the packed list (old entries are `{trigger, ruledOutBy}`). */
export function isPackedNotApplicable(entry: unknown): entry is PackedNotApplicable {
  return (
    typeof entry === "object" &&
    entry !== null &&
    (entry as { v?: unknown }).v === 2 &&
    Array.isArray((entry as { groups?: unknown }).groups)
  );
}

interface Building {
  first: RuledOutBy;
  triggers: string[];
  expected: (readonly string[])[] | undefined;
  /** Whether every member's `expected` equals the first's so far. */
  same: boolean;
  /** Each member's place in the list, kept once the list is out of group order. */
  at: number[];
  index: number;
}

/** Groups the list by its shared facts, keeping enough to give it back in its order. */
export function packNotApplicable(list: readonly NotApplicableTrigger[]): PackedNotApplicable {
  const byKey = new Map<string, Building>();
  const building: Building[] = [];
  let inOrder = true;
  let lastGroup = 0;
  let last: Building | undefined;
  const groupOf = (r: RuledOutBy): Building => {
    let key = keyOf(r);
    let g = byKey.get(key);
    // The config's parts come first and `seen` last, so keys cannot collide unless a config's
    // header or path holds a NUL; should they, the group goes on under a key of its own.
    while (g !== undefined && !sameShared(g.first, r)) g = byKey.get((key += "\0"));
    if (g === undefined) {
      const index = building.length;
      g = { first: r, triggers: [], expected: undefined, same: true, at: [], index };
      byKey.set(key, g);
      building.push(g);
    }
    return g;
  };
  for (let position = 0; position < list.length; position++) {
    const entry = list[position];
    if (entry === undefined) continue;
    const r = entry.ruledOutBy;
    // A bucket's members come one after another with the same fact: no key to build for them.
    const g = last !== undefined && sameShared(last.first, r) ? last : groupOf(r);
    last = g;
    if (inOrder && g.index < lastGroup) {
      // The first entry out of group order: the ones before were the groups one after another.
      inOrder = false;
      let at = 0;
      for (const b of building) for (let i = 0; i < b.triggers.length; i++) b.at.push(at++);
    } else if (inOrder) lastGroup = g.index;
    g.triggers.push(entry.trigger);
    if (!inOrder) g.at.push(position);
    if (r.fact === "eventType" || r.fact === "filter") {
      const first = (g.first as Listed).expected;
      if (g.same && !sameList(first, r.expected)) g.same = false;
      (g.expected ??= []).push(r.expected);
    }
  }
  return {
    v: 2,
    groups: building.map((g): PackedGroup => {
      const group: PackedGroup = {
        ruledOutBy: g.same || g.expected === undefined ? g.first : withoutExpected(g.first),
        triggers: g.triggers,
      };
      if (!g.same && g.expected !== undefined) group.expected = g.expected;
      if (!inOrder) group.at = g.at;
      return group;
    }),
  };
}

/** The list back, in its order. */
export function unpackNotApplicable(packed: PackedNotApplicable): NotApplicableTrigger[] {
  const ordered = packed.groups.some((g) => g.at !== undefined);
  const out: NotApplicableTrigger[] = [];
  for (const g of packed.groups) {
    g.triggers.forEach((trigger, i) => {
      const expected = g.expected?.[i];
      const ruledOutBy =
        expected === undefined ? asWhole(g.ruledOutBy) : withExpected(g.ruledOutBy, expected);
      const entry: NotApplicableTrigger = { trigger, ruledOutBy };
      const at = g.at?.[i];
      if (ordered && at !== undefined) out[at] = entry;
      else out.push(entry);
    });
  }
  return out;
}

/** A group's shared fact with one trigger's `expected`, keys in the order the finders write them. */
function withExpected(r: SharedRuledOutBy, expected: readonly string[]): RuledOutBy {
  switch (r.fact) {
    case "eventType":
      return { fact: r.fact, seen: r.seen, expected, header: r.header };
    case "filter":
      return { fact: r.fact, seen: r.seen, expected, subject: r.subject };
    case "provider":
    case "interceptor":
      return r;
  }
}

/** A group's fact when its triggers share all of it (then `expected` is in it). */
function asWhole(r: SharedRuledOutBy): RuledOutBy {
  return r as RuledOutBy;
}

/** What members of one group share: everything but a listed `expected`. */
function keyOf(r: RuledOutBy): string {
  switch (r.fact) {
    case "provider":
      return `p\0${r.header}\0${r.expected}\0${r.seen}`;
    case "eventType":
      return `e\0${r.header}\0${r.seen}`;
    case "filter":
      return `f\0${r.subject}\0${r.seen}`;
    case "interceptor":
      return `i\0${r.interceptor}\0${r.seen}`;
  }
}

function sameShared(a: RuledOutBy, b: RuledOutBy): boolean {
  switch (a.fact) {
    case "provider":
      return (
        b.fact === a.fact && b.seen === a.seen && b.header === a.header && b.expected === a.expected
      );
    case "eventType":
      return b.fact === a.fact && b.seen === a.seen && b.header === a.header;
    case "filter":
      return b.fact === a.fact && b.seen === a.seen && b.subject === a.subject;
    case "interceptor":
      return b.fact === a.fact && b.seen === a.seen && b.interceptor === a.interceptor;
  }
}

function withoutExpected(r: RuledOutBy): SharedRuledOutBy {
  if (r.fact !== "eventType" && r.fact !== "filter") return r;
  const { expected: _expected, ...shared } = r;
  return shared;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
