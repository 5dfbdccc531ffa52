/**
 * Bounds that keep a hostile CEL expression from stalling the listener: small ASTs checked at load,
 * no deep comprehension nesting, caps on what functions and `+` produce, and a per-evaluation budget
 * of steps and milliseconds (budget.ts). Tekton enables no cost limit; these are hookline's own.
 */
export const celLimits = {
  /** Passed to cel-js as `limits`: enforced while parsing, at load. */
  parser: {
    maxAstNodes: 1000,
    maxDepth: 32,
    maxListElements: 256,
    maxMapEntries: 256,
    maxCallArguments: 16,
  },
  /** all/exists/exists_one/map/filter inside the body of another one: at most this many levels. */
  maxComprehensionNesting: 2,
  /** Longest string (UTF-16 code units) that a hookline-registered function may return. */
  maxStringLength: 1 << 20,
  /** Longest list that a hookline-registered function may return. */
  maxListLength: 100_000,
  /** Largest JSON text (characters) one overlay may write into extensions. */
  maxOverlayJSONLength: 1 << 20,
  /** Node evaluations (plus steps charged by functions) one expression may use per evaluation. */
  maxEvaluationSteps: 2_000_000,
  /** Wall-clock milliseconds one expression may use per evaluation. */
  maxEvaluationMillis: 100,
  /** The clock is read every this many steps (a power of two). */
  clockInterval: 32,
  /** A linear pass over this many characters (or bytes, or JSON values) is charged one step. */
  charsPerStep: 64,
  /** Compiled regular expressions kept for patterns that are not string literals. */
  regexCacheSize: 128,
} as const;

/** Throws when a produced string (or `length`, when the string is not built yet) is over the limit. */
export function limitString(s: string, fn: string, length = s.length): string {
  if (length > celLimits.maxStringLength) {
    throw new Error(`${fn}: result longer than ${celLimits.maxStringLength} characters`);
  }
  return s;
}

/** Throws when a produced list is over the limit; returns it otherwise. */
export function limitList<T>(list: T[], fn: string): T[] {
  if (list.length > celLimits.maxListLength) {
    throw new Error(`${fn}: result longer than ${celLimits.maxListLength} elements`);
  }
  return list;
}
