import type { Environment } from "@marcbachmann/cel-js";
import type { EventBudget } from "../../src/interceptors/public.js";
import { celLimits } from "./cel-limits.js";

/**
 * The per-expression evaluation budget. cel-js has no cost tracker, but its evaluator evaluates every
 * AST node through one method, `run(ast, ctx)` (cel-js 8 `lib/evaluator.js`; every operator, macro
 * and comprehension iteration goes through it). `installBudget` replaces that method on the
 * environment's own evaluator (not cel-js's global one) with a counting version:
 *
 * - every node evaluation costs one step, and hookline's functions charge extra steps in proportion
 *   to their work (`charge`), so that a call doing O(n) or O(n²) work counts as such;
 * - the clock is read every `clockInterval` steps and on every charge, against a wall-clock deadline
 *   that starts at the first such checkpoint (so a small evaluation never reads the clock);
 * - the results of `+` and of function calls may not exceed the string and list caps (a string
 *   doubled by nested `+` stops there instead of growing on).
 *
 * Once the budget is exceeded, every later node evaluation throws too, so that CEL's error absorption
 * (`err || true`, `exists`) cannot swallow it, and the evaluation as a whole is failed even if it
 * produced a value.
 *
 * An evaluation may also draw on the event's budget (EventBudget, shared by every cel expression of
 * every trigger of one event): its limits are then the smaller of its own and what the event has
 * left, and running out of the event's is an error of scope "event".
 */
export class CelBudgetError extends Error {
  /** Whose budget ran out: the expression's own, or the event's (all its triggers together). */
  readonly scope: "expression" | "event";
  constructor(what: string, scope: "expression" | "event" = "expression") {
    super(
      scope === "event"
        ? `the event's cel budget is used up (${what} across all its triggers)`
        : `cel expression exceeded its evaluation budget (${what})`,
    );
    this.name = "CelBudgetError";
    this.scope = scope;
  }
}

interface BudgetState {
  active: boolean;
  steps: number;
  maxSteps: number;
  maxMillis: number;
  deadline: number;
  started: number;
  exceeded: CelBudgetError | undefined;
  /** The event's total when the step (or time) limit is what the event has left, else undefined. */
  eventSteps: number | undefined;
  eventMillis: number | undefined;
}

const state: BudgetState = {
  active: false,
  steps: 0,
  maxSteps: Number.POSITIVE_INFINITY,
  maxMillis: Number.POSITIVE_INFINITY,
  deadline: Number.POSITIVE_INFINITY,
  started: 0,
  exceeded: undefined,
  eventSteps: undefined,
  eventMillis: undefined,
};

/** The step and time limits of one evaluation. */
export interface BudgetLimits {
  readonly maxSteps: number;
  readonly maxMillis: number;
}

const defaultLimits: BudgetLimits = {
  maxSteps: celLimits.maxEvaluationSteps,
  maxMillis: celLimits.maxEvaluationMillis,
};

/** What withBudget returns besides the value: the steps used, for tests and the bench. */
export interface BudgetedResult<T> {
  value: T;
  steps: number;
}

/**
 * Runs one synchronous evaluation under a fresh budget; throws CelBudgetError when it is exceeded,
 * whatever the evaluation returned. Evaluations never yield (no async function is registered), so
 * one module-level budget cannot be shared by two evaluations. With `event`, the limits are capped
 * by what the event has left (the caller records the steps and time used in the event's budget); an
 * event with nothing left fails at once.
 * @example withBudget(() => program(activation)).value
 */
export function withBudget<T>(
  evaluate: () => T,
  limits: BudgetLimits = defaultLimits,
  event?: EventBudget,
): BudgetedResult<T> {
  if (state.active) throw new Error("cel evaluations cannot be nested");
  state.steps = 0;
  if (event !== undefined) {
    if (event.remainingSteps <= 0) throw eventError("steps", event.limits.maxSteps);
    if (event.remainingMillis <= 0) throw eventError("time", event.limits.maxMillis);
  }
  state.active = true;
  state.maxSteps = limits.maxSteps;
  state.maxMillis = limits.maxMillis;
  if (event !== undefined && event.remainingSteps < state.maxSteps) {
    state.maxSteps = event.remainingSteps;
    state.eventSteps = event.limits.maxSteps;
  }
  if (event !== undefined && event.remainingMillis < state.maxMillis) {
    state.maxMillis = event.remainingMillis;
    state.eventMillis = event.limits.maxMillis;
  }
  state.started = -1; // the clock starts at the first checkpoint: a tiny evaluation never reads it
  state.deadline = Number.POSITIVE_INFINITY;
  state.exceeded = undefined;
  try {
    const value = evaluate();
    const exceeded = exceededError();
    if (exceeded !== undefined) throw exceeded;
    if (clockStarted()) checkClock();
    return { value, steps: state.steps };
  } catch (error) {
    // A budget error wins over whatever error cel-js surfaced after it (e.g. an absorbed one).
    throw exceededError() ?? error;
  } finally {
    state.active = false;
    state.maxSteps = Number.POSITIVE_INFINITY;
    state.started = 0; // outside an evaluation, a charge compares with an infinite deadline
    state.deadline = Number.POSITIVE_INFINITY;
    state.exceeded = undefined;
    state.eventSteps = undefined;
    state.eventMillis = undefined;
  }
}

/** The steps the last evaluation used (for tests and the bench). */
export function lastEvaluationSteps(): number {
  return state.steps;
}

/** The budget error of the running evaluation (a call: the evaluation may have set it meanwhile). */
function exceededError(): CelBudgetError | undefined {
  return state.exceeded;
}

/**
 * Charges `steps` extra steps to the running evaluation, for work that a registered function does
 * beyond one node evaluation (e.g. n for an O(n) list function). Outside withBudget it does nothing.
 */
export function charge(steps: number): void {
  if (state.exceeded !== undefined) throw state.exceeded;
  state.steps += steps;
  if (state.steps > state.maxSteps) exceed("steps");
  checkClock();
}

/** A checkpoint: starts the clock at the first one, then compares it with the deadline. */
function checkClock(): void {
  const now = performance.now();
  if (state.started < 0) {
    state.started = now;
    state.deadline = now + state.maxMillis;
  } else if (now > state.deadline) {
    exceed("time");
  }
}

function clockStarted(): boolean {
  return state.started >= 0;
}

/** Charges a linear pass over `length` characters or bytes: one step per celLimits.charsPerStep. */
export function chargeLength(length: number): void {
  charge(Math.ceil(length / celLimits.charsPerStep));
}

function exceed(kind: "steps" | "time" | "size", detail = ""): never {
  if (kind === "steps" && state.eventSteps !== undefined) {
    state.exceeded ??= eventError("steps", state.eventSteps);
  } else if (kind === "time" && state.eventMillis !== undefined) {
    state.exceeded ??= eventError("time", state.eventMillis);
  }
  state.exceeded ??= new CelBudgetError(
    kind === "steps"
      ? `more than ${state.maxSteps} evaluation steps`
      : kind === "time"
        ? `more than ${state.maxMillis} ms`
        : detail,
  );
  throw state.exceeded;
}

function eventError(kind: "steps" | "time", total: number): CelBudgetError {
  return new CelBudgetError(
    kind === "steps" ? `more than ${total} evaluation steps` : `more than ${total} ms`,
    "event",
  );
}

/** The cel-js evaluator internals installBudget relies on. */
interface EvaluatorLike {
  run: (ast: NodeLike, ctx: unknown) => unknown;
}
interface NodeLike {
  readonly op: string;
  evaluate: (ev: unknown, ast: unknown, ctx: unknown) => unknown;
}

const SIZE_CHECKED_OPS = new Set(["+", "call", "rcall"]);
const clockMask = celLimits.clockInterval - 1;

/**
 * Replaces the `run` method of `env`'s private evaluator with the counting one described above. The
 * evaluator is reached through a probe expression whose root node hands it over; this depends on
 * cel-js 8 internals, so a missing hook fails loudly at startup instead of silently leaving
 * evaluations unbounded.
 */
export function installBudget(env: Environment): void {
  const probe = env.parse("true");
  let captured: unknown;
  const root = probe.ast as unknown as NodeLike;
  root.evaluate = (ev) => {
    captured = ev;
    return true;
  };
  probe({});
  if (!isEvaluator(captured)) {
    throw new Error("cel-js internals changed: cannot install the evaluation budget");
  }
  const ev = captured;
  ev.run = function run(this: unknown, ast: NodeLike, ctx: unknown): unknown {
    const s = ++state.steps;
    if (state.exceeded !== undefined) throw state.exceeded;
    if (s > state.maxSteps) exceed("steps");
    if ((s & clockMask) === 0) checkClock();
    const result = ast.evaluate(this, ast, ctx);
    if (SIZE_CHECKED_OPS.has(ast.op)) checkSize(result);
    return result;
  };
}

function checkSize(value: unknown): void {
  if (typeof value === "string") {
    if (value.length > celLimits.maxStringLength) {
      exceed("size", `a string longer than ${celLimits.maxStringLength} characters`);
    }
  } else if (Array.isArray(value) && value.length > celLimits.maxListLength) {
    exceed("size", `a list longer than ${celLimits.maxListLength} elements`);
  }
}

function isEvaluator(value: unknown): value is EvaluatorLike {
  return (
    typeof value === "object" && value !== null && "run" in value && typeof value.run === "function"
  );
}
