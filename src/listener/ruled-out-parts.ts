import type { CompiledTrigger, DispatchBucket, DispatchIndex } from "../config/compiled.js";
import { ruledOutByFact } from "./rule-out-trigger.js";
import type { NotApplicableTrigger } from "./types.js";

/**
 * The members of one bucket that one event's value rules out: the entries in trigger order, each
 * with its place in the listener's `triggers`. Shared: every event that finds the same value (or,
 * for a value no member accepts, the same value as the event before) gets the same frozen object,
 * so that the redaction, the counts and the journal's packing of it are done once.
 */
export interface RuledOutPart {
  readonly list: readonly NotApplicableTrigger[];
  readonly indexes: readonly number[];
  /** Tells parts apart in the key of a merge of several (see mergeRuledOut). */
  readonly id: number;
}

interface BucketParts {
  /** One part per value some member accepts: at most one per member. */
  readonly accepted: Map<string, RuledOutPart>;
  /** The last value no member accepts (all members ruled out, `seen` quoting it). */
  none: { seen: string; part: RuledOutPart } | undefined;
}

const byBucket = new WeakMap<DispatchBucket, BucketParts>();
let nextId = 1;

/**
 * The part of `bucket` the value `seen` rules out, `accepting` (positions in `members`) going on.
 * Bounded: members + 1 parts per bucket (the accepted values, and the latest other one).
 */
export function ruledOutPart(
  bucket: DispatchBucket,
  triggers: readonly CompiledTrigger[],
  seen: string,
  accepting: readonly number[],
): RuledOutPart {
  let parts = byBucket.get(bucket);
  if (parts === undefined) byBucket.set(bucket, (parts = { accepted: new Map(), none: undefined }));
  const known = bucket.byValue.has(seen);
  const cached = known ? parts.accepted.get(seen) : parts.none;
  if (cached !== undefined) {
    if ("part" in cached) {
      if (cached.seen === seen) return cached.part;
    } else return cached;
  }
  const part = buildPart(bucket, triggers, seen, accepting);
  if (known) parts.accepted.set(seen, part);
  else parts.none = { seen, part };
  return part;
}

function buildPart(
  bucket: DispatchBucket,
  triggers: readonly CompiledTrigger[],
  seen: string,
  accepting: readonly number[],
): RuledOutPart {
  const going = new Set(accepting);
  const list: NotApplicableTrigger[] = [];
  const indexes: number[] = [];
  bucket.members.forEach((m, position) => {
    const t = triggers[m.index];
    if (t === undefined || going.has(position)) return;
    list.push(
      Object.freeze({
        trigger: t.name,
        ruledOutBy: Object.freeze(ruledOutByFact(m.decides, seen)),
      }),
    );
    indexes.push(m.index);
  });
  return Object.freeze({
    list: Object.freeze(list),
    indexes: Object.freeze(indexes),
    id: nextId++,
  });
}

/** A not-applicable entry of a trigger that ran (or walked its own plan), at `index`. */
export interface RuledOutEntry {
  readonly index: number;
  readonly entry: NotApplicableTrigger;
}

/** Merges of several parts, by the parts' ids: the same parts give the same array. */
const merges = new WeakMap<DispatchIndex, Map<string, readonly NotApplicableTrigger[]>>();
/** Merged lists kept per index (a listener's events find few combinations of parts). */
const MAX_MERGES = 64;

const NONE: readonly NotApplicableTrigger[] = Object.freeze([]);

/**
 * The listener's own not-applicable triggers in trigger order: one part alone is given back as it
 * is; several parts (and nothing else) are merged once per combination; with entries of triggers
 * that ran, a new array of the same entry objects. Entries of a part are never copied.
 */
export function mergeRuledOut(
  index: DispatchIndex | undefined,
  parts: readonly RuledOutPart[],
  others: readonly RuledOutEntry[],
): readonly NotApplicableTrigger[] {
  if (others.length === 0) {
    if (parts.length === 0) return NONE;
    const [only] = parts;
    if (parts.length === 1 && only !== undefined) return only.list;
    if (index === undefined) return merge(parts, others);
    let cache = merges.get(index);
    if (cache === undefined)
      merges.set(index, (cache = new Map<string, readonly NotApplicableTrigger[]>()));
    const key = parts.map((p) => p.id).join(",");
    let merged = cache.get(key);
    if (merged === undefined) {
      merged = Object.freeze(merge(parts, others));
      if (cache.size >= MAX_MERGES) cache.clear();
      cache.set(key, merged);
    }
    return merged;
  }
  if (parts.length === 0) return others.map((o) => o.entry);
  return merge(parts, others);
}

/** The entries by trigger index (each part and `others` hold distinct triggers, in order). */
function merge(
  parts: readonly RuledOutPart[],
  others: readonly RuledOutEntry[],
): NotApplicableTrigger[] {
  const slots: (NotApplicableTrigger | undefined)[] = [];
  for (const p of parts) p.indexes.forEach((i, n) => (slots[i] = p.list[n]));
  for (const o of others) slots[o.index] = o.entry;
  const out: NotApplicableTrigger[] = [];
  for (const entry of slots) if (entry !== undefined) out.push(entry);
  return out;
}
