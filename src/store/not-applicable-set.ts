import { createHash } from "node:crypto";
import type { NotApplicableTrigger } from "../listener/types.js";
import {
  isPackedNotApplicable,
  packNotApplicable,
  unpackNotApplicable,
} from "./pack-not-applicable.js";

/**
 * An event's not-applicable list as the journals keep it since version 3: once per distinct list,
 * in a set of its own (`id`: a hash of its packed form), which the event's traces column names
 * (`{v: 3, set, n}`). The dispatch index hands every event that rules out the same triggers the
 * same array (src/listener/ruled-out-parts.ts), so this is worked out once per array, not per event.
 */
export interface NotApplicableSet {
  readonly id: string;
  /** `packNotApplicable(list)` as JSON: what the set's row holds. */
  readonly packed: string;
  readonly count: number;
  /** The distinct trigger names, for the `trigger` filter. */
  readonly triggers: readonly string[];
}

/** The traces column's entry that names an event's set. */
export interface NotApplicableSetRef {
  v: 3;
  set: string;
  n: number;
}

const sets = new WeakMap<readonly NotApplicableTrigger[], NotApplicableSet>();

/** The set of a list: packed, hashed and named once per array. */
export function notApplicableSet(list: readonly NotApplicableTrigger[]): NotApplicableSet {
  let set = sets.get(list);
  if (set === undefined) {
    const packed = JSON.stringify(packNotApplicable(list));
    set = Object.freeze({
      id: createHash("sha256").update(packed).digest("base64url"),
      packed,
      count: list.length,
      triggers: Object.freeze([...new Set(list.map((n) => n.trigger))]),
    });
    sets.set(list, set);
  }
  return set;
}

export function setRefOf(set: NotApplicableSet): NotApplicableSetRef {
  return { v: 3, set: set.id, n: set.count };
}

export function isNotApplicableSetRef(entry: unknown): entry is NotApplicableSetRef {
  return (
    typeof entry === "object" &&
    entry !== null &&
    (entry as { v?: unknown }).v === 3 &&
    typeof (entry as { set?: unknown }).set === "string"
  );
}

/** A set's row read back: its list, frozen (every event of the set shares it). */
export function parseNotApplicableSet(id: string, packed: string): readonly NotApplicableTrigger[] {
  const value: unknown = JSON.parse(packed);
  if (!isPackedNotApplicable(value)) return Object.freeze([]);
  const list = Object.freeze(unpackNotApplicable(value));
  // Recorded again (a replay's), it is the same set: not packed and hashed a second time.
  sets.set(
    list,
    Object.freeze({
      id,
      packed,
      count: list.length,
      triggers: Object.freeze([...new Set(list.map((n) => n.trigger))]),
    }),
  );
  return list;
}

/**
 * The journal's record of what it has read and written: parsed sets by id (bounded, the
 * least recently used go first) and the ids it knows are stored, so that an event of a known
 * set writes no set.
 */
export interface SetRecord {
  /** The list of set `id`, parsed by `load` (its packed row) unless it is in the cache. */
  read(id: string, load: (id: string) => string | undefined): readonly NotApplicableTrigger[];
  /** Whether set `id` is parsed already (read then needs no load). */
  isParsed(id: string): boolean;
  isStored(id: string): boolean;
  stored(id: string): void;
  /** Forgets what is stored (after sets were deleted, or a write failed). */
  forget(id?: string): void;
}

export function createSetRecord(maxParsed = 64, maxKnown = 4096): SetRecord {
  const parsed = new Map<string, readonly NotApplicableTrigger[]>();
  const known = new Set<string>();
  return {
    read(id, load) {
      const hit = parsed.get(id);
      if (hit !== undefined) {
        parsed.delete(id);
        parsed.set(id, hit);
        return hit;
      }
      const packed = load(id);
      if (packed === undefined) return Object.freeze([]);
      const list = parseNotApplicableSet(id, packed);
      parsed.set(id, list);
      if (parsed.size > maxParsed) {
        const oldest = parsed.keys().next();
        if (oldest.done !== true) parsed.delete(oldest.value);
      }
      return list;
    },
    isParsed: (id) => parsed.has(id),
    isStored: (id) => known.has(id),
    stored(id) {
      if (known.size >= maxKnown) known.clear();
      known.add(id);
    },
    forget(id) {
      if (id === undefined) known.clear();
      else known.delete(id);
    },
  };
}
