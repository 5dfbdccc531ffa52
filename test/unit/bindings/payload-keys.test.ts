import { describe, expect, it } from "vitest";
import { canonicalHeaderKey } from "../../../src/core/canonical-header.js";
import { evaluate, makeEvent } from "./make-event.js";

/**
 * Binding paths treat payload keys that JavaScript objects already have as ordinary keys, at
 * every depth (issue 11 item 6), as the cel interceptor does.
 */
const KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"] as const;

describe.each(KEYS)("a payload key named %s", (k) => {
  const body: unknown = JSON.parse(
    `{"${k}":"v","a":1,"n":{"${k}":{"x":2},"a":1},"l":[{"${k}":"w","a":3}],"m":{"a":1}}`,
  );
  const event = makeEvent({
    body,
    header: JSON.parse(`{"${canonicalHeaderKey(k)}":"h"}`) as Record<string, string>,
    extensions: JSON.parse(`{"${k}":{"${k}":"e"}}`) as Record<string, unknown>,
  });

  it.each([
    { name: "top level", path: `body.${k}`, want: "v" },
    { name: "nested", path: `body.n.${k}.x`, want: "2" },
    { name: "inside a list", path: `body.l[0].${k}`, want: "w" },
    { name: "after a wildcard", path: `body.l[*].${k}`, want: "w" },
    { name: "recursive descent", path: `body..${k}`, want: JSON.stringify(["v", { x: 2 }, "w"]) },
    { name: "a filter on it", path: `body.l[?(@.${k} == 'w')].a`, want: "3" },
    { name: "an existence filter on it", path: `body.l[?(@.${k})].a`, want: "3" },
    {
      name: "an object holding it",
      path: "body.n",
      want: `{${[`"${k}":{"x":2}`, `"a":1`].sort().join(",")}}`,
    },
    { name: "extensions", path: `extensions.${k}.${k}`, want: "e" },
    { name: "header", path: `header.${k}`, want: "h" },
  ])("$name: $path", ({ path, want }) => {
    expect(evaluate(path, event)).toEqual({ ok: true, value: want });
  });

  it("is not found where the object lacks it, though Object.prototype has the name", () => {
    expect(evaluate(`body.m.${k}`, event)).toEqual({ ok: false, error: `${k} is not found` });
    expect(evaluate(`body.l[?(@.${k} == 'zz')].a`, event)).toEqual({ ok: true, value: "[]" });
  });
});
