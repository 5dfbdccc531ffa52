import type { NotApplicableTrigger } from "./types.js";

/** Lists kept to be handed out again, by a key of their length and their first and last names. */
const interned = new Map<string, readonly NotApplicableTrigger[]>();
const MAX_INTERNED = 64;

/**
 * The first list seen with the same entries as `list` (each trigger and its RuledOutBy, field by
 * field, in the same order), or `list` itself, remembered for the lists after it. The dispatch
 * index hands the events it rules out alike one shared array; triggers a run ruled out (another
 * provider's, say) make a fresh array at each event, with the same entries event after event. The
 * work keyed by the array — its redaction (to-stored-event.ts), its set's packing and hash
 * (src/store/not-applicable-set.ts) — is then done once per distinct list, not once per event.
 */
export function internNotApplicable(
  list: readonly NotApplicableTrigger[],
): readonly NotApplicableTrigger[] {
  const first = list[0];
  // A frozen list is the dispatch index's, shared already (ruled-out-parts.ts).
  if (first === undefined || Object.isFrozen(list)) return list;
  const key = `${list.length}\u0000${first.trigger}\u0000${list[list.length - 1]?.trigger ?? ""}`;
  const known = interned.get(key);
  if (known === list) return list;
  if (known !== undefined && sameEntries(known, list)) return known;
  if (interned.size >= MAX_INTERNED) interned.clear();
  interned.set(key, list);
  return list;
}

function sameEntries(a: readonly NotApplicableTrigger[], b: readonly NotApplicableTrigger[]) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined || y === undefined || x.trigger !== y.trigger) return false;
    if (!sameFields(x.ruledOutBy, y.ruledOutBy)) return false;
  }
  return true;
}

/** The same keys in the same order (the stored JSON keeps it), with equal strings or lists. */
function sameFields(a: object, b: object): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (k === undefined || k !== kb[i]) return false;
    const x: unknown = (a as Record<string, unknown>)[k];
    const y: unknown = (b as Record<string, unknown>)[k];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
