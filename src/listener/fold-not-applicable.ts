import { describeRuledOut } from "../core/ruled-out-by.js";
import type { NotApplicableTrigger, RuledOutBy } from "./types.js";

/** The triggers an event was not for, folded: one line, and the groups it counts. */
export interface FoldedNotApplicable {
  count: number;
  /** "997 triggers did not apply: 990 other repositories, 7 other event types". */
  summary: string;
  /** Largest first: `{reason: "other repositories", count: 990}`. */
  groups: { reason: string; count: number }[];
  /** Each trigger with the sentence naming what was seen. */
  triggers: (NotApplicableTrigger & { message: string })[];
}

/** Folds the not-applicable triggers by what ruled them out (undefined when there are none). */
export function foldNotApplicable(
  list: readonly NotApplicableTrigger[],
): FoldedNotApplicable | undefined {
  if (list.length === 0) return undefined;
  const counts = new Map<string, { words: Words; count: number }>();
  for (const t of list) {
    const words = groupOf(t.ruledOutBy);
    const group = counts.get(words.many);
    if (group === undefined) counts.set(words.many, { words, count: 1 });
    else group.count += 1;
  }
  const groups = [...counts.values()]
    .map(({ words, count }) => ({ reason: count === 1 ? words.one : words.many, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  const n = list.length;
  return {
    count: n,
    summary: `${n} trigger${n === 1 ? "" : "s"} did not apply: ${groups
      .map((g) => `${g.count} ${g.reason}`)
      .join(", ")}`,
    groups,
    triggers: list.map((t) => ({ ...t, message: describeRuledOut(t.ruledOutBy) })),
  };
}

interface Words {
  one: string;
  many: string;
}

/** The words of a group: what the ruled-out triggers are for ("1 other event type", "7 other event types"). */
function groupOf(r: RuledOutBy): Words {
  const same = (words: string): Words => ({ one: words, many: words });
  switch (r.fact) {
    case "provider":
      return same(`for ${r.expected}`);
    case "eventType":
      return { one: "other event type", many: "other event types" };
    case "filter":
      if (/repository|project/i.test(r.subject))
        return { one: "other repository", many: "other repositories" };
      if (/(^|\.)ref$|branch/i.test(r.subject))
        return { one: "other branch", many: "other branches" };
      return same(`other ${r.subject}`);
    case "interceptor":
      return same(`ruled out by ${r.interceptor}`);
  }
}
