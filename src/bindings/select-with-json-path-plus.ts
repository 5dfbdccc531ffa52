import { JSONPath } from "jsonpath-plus";
import type { FilterSpec } from "./types.js";

/** Decides whether one array element passes a filter; may throw a JsonPathError. */
export type FilterTest = (filter: FilterSpec, element: unknown) => boolean;

type JsonPathPlusStep = "wildcard" | "recursive" | "filter";

/*
 * Filters are handed to jsonpath-plus as `$[?(hlfN)]` with our own `eval` callback, so the
 * predicate is the Kubernetes one (key existence, typed comparisons, errors on a missing key)
 * and never JavaScript. Tokens are deduplicated by the filter's shape, so reloading the same
 * configuration does not grow the registry.
 */
const filtersByToken = new Map<string, FilterSpec>();
const tokensByShape = new Map<string, string>();

/** Registers a filter at compile time and returns the token that names it in a path. */
export function registerFilter(filter: FilterSpec): string {
  const shape = JSON.stringify(filter);
  const known = tokensByShape.get(shape);
  if (known !== undefined) return known;
  const token = `hlf${filtersByToken.size}`;
  filtersByToken.set(token, filter);
  tokensByShape.set(shape, token);
  return token;
}

/** The evaluation in progress; saved and restored around each call, as filters can nest. */
let active: { test: FilterTest; failure: Error | undefined } | undefined;

function evaluateFilter(code: string, context: object): boolean {
  const filter = filtersByToken.get(code);
  if (filter === undefined || active === undefined || active.failure !== undefined) return false;
  const element: unknown = Reflect.get(context, "_$_v");
  try {
    return active.test(filter, element);
  } catch (err) {
    // Thrown errors would be re-wrapped by jsonpath-plus; keep ours and rethrow after the walk.
    active.failure = err instanceof Error ? err : new Error(String(err));
    return false;
  }
}

const paths: Record<Exclude<JsonPathPlusStep, "filter">, string> = {
  wildcard: "$.*",
  recursive: "$..",
};

/**
 * Runs one wildcard (`.*`), recursive descent (`..`) or filter step of a Kubernetes JSONPath on
 * an object or array through jsonpath-plus, returning the values it selects in document order.
 */
export function selectWithJsonPathPlus(
  value: object,
  step: JsonPathPlusStep,
  filterToken: string,
  test: FilterTest,
): unknown[] {
  const path = step === "filter" ? `$[?(${filterToken})]` : paths[step];
  const saved = active;
  const current: { test: FilterTest; failure: Error | undefined } = { test, failure: undefined };
  active = current;
  try {
    const found = JSONPath<unknown[]>({ path, json: value, wrap: true, eval: evaluateFilter });
    if (current.failure !== undefined) throw current.failure;
    return found;
  } finally {
    active = saved;
  }
}
