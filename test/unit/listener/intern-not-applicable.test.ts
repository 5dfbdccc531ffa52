import { describe, expect, it } from "vitest";
import { internNotApplicable } from "../../../src/listener/intern-not-applicable.js";
import type { NotApplicableTrigger } from "../../../src/listener/types.js";

const gitlab = (trigger: string): NotApplicableTrigger => ({
  trigger,
  ruledOutBy: { fact: "provider", seen: "", expected: "gitlab", header: "X-Gitlab-Event" },
});
const filter = (trigger: string, expected: string[]): NotApplicableTrigger => ({
  trigger,
  ruledOutBy: { fact: "filter", seen: "acme/x", expected, subject: "body.repository.full_name" },
});

describe("internNotApplicable", () => {
  it("hands out the first list seen for a later list with the same entries", () => {
    const first = [gitlab("intern-a"), filter("intern-b", ["acme/a", "acme/b"])];
    expect(internNotApplicable(first)).toBe(first);
    const again = [gitlab("intern-a"), filter("intern-b", ["acme/a", "acme/b"])];
    expect(internNotApplicable(again)).toBe(first);
  });

  it.each([
    {
      name: "another expected list",
      other: [gitlab("intern-c"), filter("intern-d", ["acme/a", "acme/c"])],
    },
    {
      name: "another trigger between",
      other: [gitlab("intern-c"), gitlab("intern-x"), filter("intern-d", ["acme/a"])],
    },
    {
      name: "the same fields in another order",
      other: [
        {
          trigger: "intern-c",
          ruledOutBy: { fact: "provider", expected: "gitlab", seen: "", header: "X-Gitlab-Event" },
        },
        filter("intern-d", ["acme/a"]),
      ] as NotApplicableTrigger[],
    },
  ])("keeps a list apart that differs: $name", ({ other }) => {
    const first = [gitlab("intern-c"), filter("intern-d", ["acme/a"])];
    internNotApplicable(first);
    expect(internNotApplicable(other)).toBe(other);
  });

  it("leaves frozen lists (the dispatch index's, shared already) and empty ones as they are", () => {
    const frozen = Object.freeze([gitlab("intern-e")]);
    expect(internNotApplicable(frozen)).toBe(frozen);
    expect(internNotApplicable(Object.freeze([gitlab("intern-e")]))).not.toBe(frozen);
    const empty: NotApplicableTrigger[] = [];
    expect(internNotApplicable(empty)).toBe(empty);
  });
});
