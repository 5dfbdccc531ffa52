import { assertNever } from "../errors/assert-never.js";
import { goTypeName } from "./go-type-name.js";
import { JsonPathError } from "./json-path-error.js";
import type { CompareOperator, FilterOperand, FilterSpec, PathStep } from "./types.js";

type SliceStep = Extract<PathStep, { kind: "slice" }>;

/**
 * Runs a JSONPath program over a list of values with client-go's rules (`AllowMissingKeys(false)`):
 * a field that none of a non-empty input has is an error, no input gives no output, `null` is
 * skipped by fields, indexes and wildcards, and slices check their bounds.
 */
export function evaluateSteps(steps: readonly PathStep[], input: readonly unknown[]): unknown[] {
  let current: readonly unknown[] = input;
  for (const step of steps) current = applyStep(step, current);
  return current as unknown[];
}

function applyStep(step: PathStep, input: readonly unknown[]): readonly unknown[] {
  switch (step.kind) {
    case "field":
      return selectField(input, step.name);
    case "slice":
      return selectSlice(input, step);
    case "union": {
      const out: unknown[] = [];
      for (const branch of step.branches) out.push(...evaluateSteps(branch, input));
      return out;
    }
    case "wildcard":
      return selectWildcard(input);
    case "recursive":
      return selectRecursive(input);
    case "filter":
      return selectFiltered(input, step.filter);
    default:
      return assertNever(step);
  }
}

/** A JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function selectField(input: readonly unknown[], name: string): readonly unknown[] {
  if (input.length === 0) return input;
  const out: unknown[] = [];
  for (const value of input) {
    if (isJsonObject(value) && Object.hasOwn(value, name)) out.push(value[name]);
  }
  if (out.length === 0) throw new JsonPathError(`${name} is not found`);
  return out;
}

/** The `[start, end)` range a slice selects from an array of `length`, or an error. */
export function sliceBounds(step: SliceStep, length: number): [number, number] {
  let start = step.start ?? 0;
  if (start < 0) start += length;
  let end = step.end ?? length;
  if (end < 0 || (end === 0 && step.endDerived)) end += length;
  if (end === start) return [0, 0]; // asking for zero elements is allowed
  if (start >= length || start < 0) {
    throw new JsonPathError(`array index out of bounds: index ${start}, length ${length}`);
  }
  if (end > length || end < 0) {
    throw new JsonPathError(`array index out of bounds: index ${end - 1}, length ${length}`);
  }
  if (start > end)
    throw new JsonPathError(`starting index ${start} is greater than ending index ${end}`);
  return [start, end];
}

function selectSlice(input: readonly unknown[], step: SliceStep): readonly unknown[] {
  const out: unknown[] = [];
  for (const value of input) {
    if (value === null) continue;
    if (!Array.isArray(value))
      throw new JsonPathError(`${goTypeName(value)} is not array or slice`);
    const [start, end] = sliceBounds(step, value.length);
    const stride = step.step ?? 1;
    if (stride <= 0) throw new JsonPathError("step must be > 0");
    for (let i = start; i < end; i += stride) out.push(value[i]);
  }
  return out;
}

/** `.*` and `[*]`-like wildcards: every child of an object or array, nulls included. */
function selectWildcard(input: readonly unknown[]): readonly unknown[] {
  const out: unknown[] = [];
  for (const value of input) {
    // Strings are not walked: client-go would yield their bytes, which no binding wants.
    const children = childrenOf(value);
    if (children !== undefined) for (const child of children) out.push(child);
  }
  return out;
}

/**
 * client-go's `..`: each value that has children, then its descendants, in document order. Objects
 * and arrays that are not empty are walked; a non-empty string is a result but its bytes are not;
 * null, numbers, booleans, "" and empty containers are not results. An explicit stack, so a deeply
 * nested body cannot overflow the call stack.
 */
function selectRecursive(input: readonly unknown[]): readonly unknown[] {
  const out: unknown[] = [];
  const stack: unknown[] = [];
  for (let i = input.length - 1; i >= 0; i--) stack.push(input[i]);
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "string") {
      if (value !== "") out.push(value);
      continue;
    }
    const children = childrenOf(value);
    if (children === undefined || children.length === 0) continue;
    out.push(value);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

function childrenOf(value: unknown): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  return isJsonObject(value) ? Object.values(value) : undefined;
}

function selectFiltered(input: readonly unknown[], filter: FilterSpec): readonly unknown[] {
  const out: unknown[] = [];
  for (const value of input) {
    if (!Array.isArray(value)) {
      throw new JsonPathError(`${goTypeName(value)} is not array or slice and cannot be filtered`);
    }
    for (const element of value as unknown[]) if (testFilter(filter, element)) out.push(element);
  }
  return out;
}

const none = Symbol("none");

function operandValue(operand: FilterOperand, element: unknown): unknown {
  if (operand.kind === "literal") return operand.value;
  const found = evaluateSteps(operand.steps, [element]);
  if (found.length === 0) return none;
  if (found.length > 1) throw new JsonPathError("can only compare one element at a time");
  return found[0];
}

/** client-go's filter rule for one element. */
export function testFilter(filter: FilterSpec, element: unknown): boolean {
  if (filter.op === "exists") {
    try {
      return operandValue(filter.left, element) !== none;
    } catch {
      return false; // existence only asks whether the path yields anything; errors mean "no"
    }
  }
  const left = operandValue(filter.left, element);
  if (left === none) return false;
  const right = operandValue(filter.right, element);
  if (right === none) return false;
  return compare(filter.op, left, right);
}

function compare(op: CompareOperator, left: unknown, right: unknown): boolean {
  if (left === null || right === null) {
    if (op === "==") return left === right;
    if (op === "!=") return left !== right;
    throw new JsonPathError("invalid type for comparison");
  }
  const kind = typeof left;
  if (kind !== "string" && kind !== "number" && kind !== "boolean") {
    throw new JsonPathError("invalid type for comparison");
  }
  if (typeof right !== kind) throw new JsonPathError("incompatible types for comparison");
  if (op === "==") return left === right;
  if (op === "!=") return left !== right;
  if (kind === "boolean") throw new JsonPathError("invalid type for comparison");
  const l = left as string | number;
  const r = right as string | number;
  switch (op) {
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    case ">=":
      return l >= r;
    default:
      return assertNever(op);
  }
}
