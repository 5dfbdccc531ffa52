import { describe, it, expect } from "vitest";
import type { InterceptorResponse, ParamError } from "../../src/interceptors/public.js";
import {
  makeContext,
  makeRequest,
  paramErrorOf,
  runInterceptor,
} from "../../test/support/interceptor-harness.js";
import { lastEvaluationSteps } from "./budget.js";
import { compileExpression } from "./compile-expression.js";
import { cel, parseCelParams } from "./index.js";
import { compileRE2 } from "./re2.js";

/** No secrets here: every lookup is refused. */
const ctx = makeContext();

async function run(params: Record<string, unknown>, body: unknown): Promise<InterceptorResponse> {
  return runInterceptor(cel, params, makeRequest({ body: JSON.stringify(body) }), ctx);
}

async function filter(expression: string, body: unknown = {}): Promise<InterceptorResponse> {
  return run({ filter: expression }, body);
}

async function overlay(expression: string, body: unknown = {}): Promise<unknown> {
  const res = await run({ overlays: [{ key: "v", expression }] }, body);
  if (!res.continue) throw new Error(res.status.message);
  return res.extensions?.["v"];
}

function loadError(params: Record<string, unknown>): ParamError {
  return paramErrorOf(parseCelParams, params);
}

describe("matches and translate use RE2", () => {
  it.each([
    ["'Refs/Heads/Main'.matches('(?i)^refs/heads/main$')", true],
    ["'Refs/Heads/Main'.matches('^refs/heads/main$')", false],
    ["'v12.3'.matches('^v\\\\d+\\\\.\\\\d+$')", true],
    ["'ab'.matches('(?P<x>a)b')", true],
    ["'héllo'.matches('^\\\\pL+$')", true],
    ["'a\\nb'.matches('a.b')", false],
    ["'a\\nb'.matches('(?s)a.b')", true],
    ["'xay'.matches('a')", true], // unanchored, as Go's MatchString
  ])("%s is %s", async (expression, want) => {
    expect(await overlay(expression)).toBe(want);
  });

  it("translate expands $1, ${1}, $name, ${name} and $$ as Go does", async () => {
    expect(
      await overlay(
        "'refs/heads/main'.translate('^refs/heads/(?P<branch>.*)$', '$1 ${1} $branch ${branch} $$ $nope')",
      ),
    ).toBe("main main main main $ ");
  });

  it("translate skips an empty match right after a match, as Go's ReplaceAllString", async () => {
    expect(await overlay("'baaac'.translate('a*', '-')")).toBe("-b-c-");
    expect(await overlay("'héllo'.translate('', '.')")).toBe(".h.é.l.l.o.");
  });

  it("computed patterns work, through a dyn receiver too", async () => {
    const body = { ref: "refs/tags/v1", re: "(?i)^REFS/TAGS/" };
    expect(await filter("body.ref.matches(body.re)", body)).toEqual({ continue: true });
    expect(await overlay("body.ref.translate(body.re, '')", body)).toBe("v1");
  });

  it("a computed backreference is refused at run time", async () => {
    const res = await filter("'aa'.matches(body.re)", { re: "(a)\\1" });
    expect(res).toMatchObject({ continue: false, status: { code: "INVALID_ARGUMENT" } });
    if (!res.continue) expect(res.status.message).toContain("invalid escape sequence: `\\1`");
  });

  it("a literal backreference or lookaround is refused at load, with the literal's offset", () => {
    const back = loadError({ filter: "body.a.matches('(a)\\\\1')" });
    expect(back).toMatchObject({ field: "filter", offset: 15 });
    expect(back.message).toContain("invalid escape sequence: `\\1`");
    const look = loadError({ filter: "'x'.translate('x(?<=y)', '')" });
    expect(look).toMatchObject({ field: "filter", offset: 14 });
    expect(look.message).toContain("RE2 syntax");
  });

  it("matches on a non-string is an evaluation error", async () => {
    const res = await filter("body.n.matches('1')", { n: 1 });
    expect(res).toMatchObject({ continue: false, status: { code: "INVALID_ARGUMENT" } });
    if (!res.continue) expect(res.status.message).toContain("no matching overload");
  });

  it("catastrophic-backtracking patterns are linear", async () => {
    const body = { s: `${"a".repeat(50_000)}!` };
    expect(await overlay("body.s.matches('(a+)+$')", body)).toBe(false);
    expect(await overlay("body.s.matches('^(a|aa)*$')", body)).toBe(false);
    expect(await overlay("body.s.matches('(a+)+!$')", body)).toBe(true);
    expect(await overlay("body.s.translate('(a+)+$', 'x').size()", body)).toBe(50_001);
  });

  it("literal patterns are compiled once and cached", () => {
    compileExpression("filter", "'a'.matches('^cache-me$')");
    expect(compileRE2("^cache-me$")).toBe(compileRE2("^cache-me$"));
  });
});

const BUDGET = /cel expression exceeded its evaluation budget \(/;

async function expectBudgetError(expression: string, body: unknown = {}): Promise<string> {
  const started = performance.now();
  const res = await filter(expression, body);
  const elapsed = performance.now() - started;
  expect(res).toMatchObject({ continue: false, status: { code: "INVALID_ARGUMENT" } });
  if (res.continue) throw new Error("unreachable");
  expect(res.status.message).toMatch(BUDGET);
  expect(res.status.message).toMatch(/^error evaluating cel expression: expression ".*" failed/);
  expect(elapsed).toBeLessThan(1_500); // the budget is 100 ms; generous for a loaded CI machine
  return res.status.message;
}

describe("the evaluation budget", () => {
  const big = { s: "x".repeat(300_000), t: "y".repeat(10_000) };

  it("stops nested comprehensions by steps, or by time when the steps are costly", async () => {
    const numbers = { l: Array.from({ length: 3_000 }, (_, i) => i) };
    const message = await expectBudgetError("body.l.all(x, body.l.all(y, y >= 0.0))", numbers);
    // 9 M steps: the step limit stops it, unless a loaded machine reaches the 100 ms limit first.
    expect(message).toMatch(/\((more than 2000000 evaluation steps|more than 100 ms)\)/);
    await expectBudgetError("lists.range(100000).map(x, lists.range(100000).map(y, y)).size() > 0");
    await expectBudgetError("lists.range(100000).all(x, lists.range(100000).all(y, y >= 0))");
    await expectBudgetError(
      "lists.range(100000).filter(x, lists.range(100000).exists(y, y < 0)).size() == 0",
    );
  });

  it("cannot be swallowed by error absorption (|| and exists)", async () => {
    await expectBudgetError(
      "lists.range(100000).all(x, lists.range(100000).all(y, y >= 0)) || true",
    );
    await expectBudgetError(
      "[1, 2].exists(i, (i == 1 && lists.range(100000).distinct().size() > 0) || i == 2)",
    );
  });

  it("stops string doubling at the size cap", async () => {
    let doubled = "body.t";
    for (let i = 0; i < 8; i++) doubled = `(${doubled} + ${doubled})`;
    const message = await expectBudgetError(`${doubled}.size() > 0 || true`, big);
    expect(message).toContain("(a string longer than 1048576 characters)");
  });

  it("charges hookline's own functions by their work", async () => {
    await expectBudgetError("lists.range(100000).distinct().size() > 0");
    await expectBudgetError("sets.intersects(lists.range(100000), [-1] + lists.range(99999))");
    await expectBudgetError("lists.range(100000).all(x, body.s.translate('x', 'x') != '')", big);
  });

  it("stops marshalJSON of a list holding the same big map many times early", async () => {
    const res = await filter("lists.range(100000).map(x, body).marshalJSON() != ''", big);
    expect(res).toMatchObject({ continue: false, status: { code: "INVALID_ARGUMENT" } });
    // Whichever limit comes first: the output size, or (on a loaded machine) the time budget.
    if (!res.continue)
      expect(res.status.message).toMatch(
        /marshalJSON: result longer than|exceeded its evaluation budget/,
      );
  });

  it("stops cheap-looking loops of expensive operations by time", async () => {
    const message = await expectBudgetError(
      "lists.range(100000).exists(x, body.s.contains('zz'))",
      big,
    );
    expect(message).toMatch(/\(more than \d+ (ms|evaluation steps)\)/);
  });

  it("leaves ordinary expressions alone, and they use few steps", async () => {
    expect(await filter("lists.range(300).all(x, lists.range(300).all(y, y >= 0))")).toEqual({
      continue: true,
    });
    const program = compileExpression(
      "filter",
      "body.ref.startsWith('refs/heads/') && !body.deleted",
    );
    const value = program.evaluate({
      body: { ref: "refs/heads/main", deleted: false },
      header: {},
      extensions: {},
      requestURL: "/",
    });
    expect(value).toBe(true);
    const steps = lastEvaluationSteps();
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(20);
  });

  it("bounds the JSON an overlay writes before building it", async () => {
    const started = performance.now();
    const res = await run(
      { overlays: [{ key: "v", expression: "lists.range(100000).map(x, body)" }] },
      big,
    );
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(res).toMatchObject({ continue: false, status: { code: "INVALID_ARGUMENT" } });
    if (!res.continue)
      expect(res.status.message).toMatch(/^failed to apply overlay "v": result is larger/);
  });
});
