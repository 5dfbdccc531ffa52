import { JSONPath } from "jsonpath-plus";
import type { FilterSpec } from "./types.js";

/** Decides whether one array element passes a filter; may throw a JsonPathError. */
export type FilterTest = (filter: FilterSpec, element: unknown) => boolean;

/** The step jsonpath-plus runs: a wildcard, a recursive descent, or a filter with its test. */
export type JsonPathPlusStep =
  | { readonly kind: "wildcard" }
  | { readonly kind: "recursive" }
  | { readonly kind: "filter"; readonly filter: FilterSpec; readonly test: FilterTest };

/**
 * The per-call sandbox jsonpath-plus hands to `evalFilter`: it carries the filter and the test,
 * and collects the first error, so nothing lives at module level. (A closure per call would not
 * do: jsonpath-plus caches a function `eval` by its source text, so the first closure would
 * answer for every later call.) jsonpath-plus writes the element to `_$_v`.
 */
interface FilterSandbox {
  readonly filter: FilterSpec;
  readonly test: FilterTest;
  failure: Error | undefined;
}

/** jsonpath-plus's `eval` callback: the Kubernetes predicate, never JavaScript. */
function evalFilter(_code: string, context: object): boolean {
  const sandbox = context as FilterSandbox;
  if (sandbox.failure !== undefined) return false;
  const element: unknown = Reflect.get(sandbox, "_$_v");
  try {
    return sandbox.test(sandbox.filter, element);
  } catch (err) {
    // Thrown errors would be re-wrapped by jsonpath-plus; keep ours and rethrow after the walk.
    sandbox.failure = err instanceof Error ? err : new Error(String(err));
    return false;
  }
}

/*
 * Three fixed paths, so jsonpath-plus's own parse cache holds three entries whatever the config.
 * `hl` is a placeholder: evalFilter ignores the code and reads the filter from the sandbox.
 */
const paths = { wildcard: "$.*", recursive: "$..", filter: "$[?(hl)]" } as const;

/**
 * Runs one wildcard (`.*`), recursive descent (`..`) or filter step of a Kubernetes JSONPath on
 * an object or array through jsonpath-plus, returning the values it selects in document order.
 */
export function selectWithJsonPathPlus(value: object, step: JsonPathPlusStep): unknown[] {
  if (step.kind !== "filter") {
    return JSONPath<unknown[]>({ path: paths[step.kind], json: value, wrap: true });
  }
  const sandbox: FilterSandbox = { filter: step.filter, test: step.test, failure: undefined };
  const found = JSONPath<unknown[]>({
    path: paths.filter,
    json: value,
    wrap: true,
    // jsonpath-plus types `sandbox` as a Map, but reads and writes it as a plain object.
    sandbox: sandbox as unknown as Map<string, unknown>,
    eval: evalFilter,
  });
  if (sandbox.failure !== undefined) throw sandbox.failure;
  return found;
}
