/**
 * Bounds that keep a hostile CEL expression from stalling the listener. cel-js has no runtime cost
 * budget (cel-go's is not enabled by Tekton either), so the bound is structural: small ASTs checked
 * at load, no deep comprehension nesting, and a cap on what the functions registered here produce.
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
} as const;

/** Throws when a produced string is over the limit; returns it otherwise. */
export function limitString(s: string, fn: string): string {
  if (s.length > celLimits.maxStringLength) {
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
