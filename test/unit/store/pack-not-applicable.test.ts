import { describe, expect, it } from "vitest";
import type { NotApplicableTrigger } from "../../../src/listener/types.js";
import {
  isPackedNotApplicable,
  packNotApplicable,
  unpackNotApplicable,
} from "../../../src/store/pack-not-applicable.js";

const filter = (trigger: string, expected: string[]): NotApplicableTrigger => ({
  trigger,
  ruledOutBy: {
    fact: "filter",
    seen: "acme/hello",
    expected,
    subject: "body.repository.full_name",
  },
});
const gitlab = (trigger: string): NotApplicableTrigger => ({
  trigger,
  ruledOutBy: { fact: "provider", seen: "github", expected: "gitlab", header: "X-Gitlab-Event" },
});

describe("packNotApplicable", () => {
  it("keeps one group per shared fact, and per trigger only its name and its own expected", () => {
    const list = Array.from({ length: 5000 }, (_, i) => filter(`t-${i}`, [`acme/repo-${i}`]));
    const packed = packNotApplicable(list);
    expect(packed.groups).toHaveLength(1);
    expect(packed.groups[0]).toEqual({
      ruledOutBy: { fact: "filter", seen: "acme/hello", subject: "body.repository.full_name" },
      triggers: list.map((t) => t.trigger),
      expected: list.map((_, i) => [`acme/repo-${i}`]),
    });
    expect(isPackedNotApplicable(JSON.parse(JSON.stringify(packed)))).toBe(true);
    expect(unpackNotApplicable(packed)).toEqual(list);
    // The bytes the journal stores: about a fifth of the entries one by one.
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(list).length / 3);
  });

  it("keeps a shared expected in the fact, and the order of interleaved groups", () => {
    const list = [filter("a", ["x"]), gitlab("b"), filter("c", ["x"]), gitlab("d")];
    const packed = packNotApplicable(list);
    expect(packed.groups).toEqual([
      { ruledOutBy: list[0]?.ruledOutBy, triggers: ["a", "c"], at: [0, 2] },
      { ruledOutBy: list[1]?.ruledOutBy, triggers: ["b", "d"], at: [1, 3] },
    ]);
    const stored: unknown = JSON.parse(JSON.stringify(packed));
    expect(isPackedNotApplicable(stored) && unpackNotApplicable(stored)).toEqual(list);
  });

  it("tells the packed entry from an old one", () => {
    expect(isPackedNotApplicable(filter("a", ["x"]))).toBe(false);
    expect(isPackedNotApplicable({ v: 2 })).toBe(false);
  });
});
