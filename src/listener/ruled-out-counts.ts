import type { NotApplicableTrigger, RuledOutFact } from "./types.js";
import { foldNotApplicable, type FoldedNotApplicable } from "./fold-not-applicable.js";

/** How many entries of a not-applicable list each fact ruled out. */
export interface RuledOutCounts {
  readonly total: number;
  readonly byFact: Readonly<Partial<Record<RuledOutFact, number>>>;
}

const counts = new WeakMap<readonly NotApplicableTrigger[], RuledOutCounts>();
const folds = new WeakMap<readonly NotApplicableTrigger[], FoldedNotApplicable | undefined>();

/**
 * The counts of a list, once per array: the shared lists of the dispatch index
 * (ruled-out-parts.ts) are counted for the metrics, the 401 rule and the outcome the first time
 * only, whatever the number of events that rule out the same triggers.
 */
export function ruledOutCounts(list: readonly NotApplicableTrigger[]): RuledOutCounts {
  let c = counts.get(list);
  if (c === undefined) {
    const byFact: Partial<Record<RuledOutFact, number>> = {};
    for (const n of list) byFact[n.ruledOutBy.fact] = (byFact[n.ruledOutBy.fact] ?? 0) + 1;
    c = { total: list.length, byFact };
    counts.set(list, c);
  }
  return c;
}

/** foldNotApplicable, once per array (the summary line, the page, dry-run). */
export function foldedNotApplicable(
  list: readonly NotApplicableTrigger[],
): FoldedNotApplicable | undefined {
  if (folds.has(list)) return folds.get(list);
  const folded = foldNotApplicable(list);
  folds.set(list, folded);
  return folded;
}
