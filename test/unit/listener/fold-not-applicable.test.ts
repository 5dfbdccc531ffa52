import { describe, expect, it } from "vitest";
import { foldNotApplicable } from "../../../src/listener/fold-not-applicable.js";
import type { NotApplicableTrigger } from "../../../src/listener/types.js";

const repo = (i: number): NotApplicableTrigger => ({
  trigger: `repo-${i}`,
  ruledOutBy: {
    fact: "filter",
    seen: "acme/app",
    expected: [`acme/r${i}`],
    subject: "body.repository.full_name",
  },
});
const type = (i: number): NotApplicableTrigger => ({
  trigger: `type-${i}`,
  ruledOutBy: { fact: "eventType", seen: "ping", expected: ["push"], header: "X-GitHub-Event" },
});

describe("foldNotApplicable", () => {
  it("folds a thousand triggers into one line, largest group first", () => {
    const list = [
      ...Array.from({ length: 7 }, (_, i) => type(i)),
      ...Array.from({ length: 990 }, (_, i) => repo(i)),
    ];
    const folded = foldNotApplicable(list);
    expect(folded?.summary).toBe(
      "997 triggers did not apply: 990 other repositories, 7 other event types",
    );
    expect(folded?.groups).toEqual([
      { reason: "other repositories", count: 990 },
      { reason: "other event types", count: 7 },
    ]);
    expect(folded?.triggers[0]).toEqual({
      ...type(0),
      message: "event type ping; this trigger listens to push",
    });
  });

  it("names one trigger in the singular, and another provider by its name", () => {
    const folded = foldNotApplicable([
      {
        trigger: "gitlab-push",
        ruledOutBy: { fact: "provider", seen: "", expected: "gitlab", header: "X-Gitlab-Event" },
      },
    ]);
    expect(folded?.summary).toBe("1 trigger did not apply: 1 for gitlab");
    expect(foldNotApplicable([type(0), repo(0)])?.summary).toBe(
      "2 triggers did not apply: 1 other event type, 1 other repository",
    );
  });

  it("is undefined when every trigger applied", () => {
    expect(foldNotApplicable([])).toBeUndefined();
  });
});
