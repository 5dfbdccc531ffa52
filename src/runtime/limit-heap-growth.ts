import { setFlagsFromString } from "node:v8";

/** How much V8 lets the old generation grow past what a full GC left live, before the next one. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Bounds the old generation's growth while serving (issue 10: RSS after load). Under load the
 * objects of the events in flight are promoted by each scavenge and die soon after, so the old
 * space is mostly garbage waiting for the next full GC; V8's own limit lets it reach up to 4x
 * what the last full GC left (a 1,000-trigger serve: 73 MB of old space after ~4,700 events, 21 MB
 * of it live). 1.5x keeps it near 35 MB for a few more full GCs. V8 reads this flag each time it
 * sets the limit, so it works when set at run time; a --heap-growing-percent given by the user
 * (node's flags or NODE_OPTIONS) wins. See docs/architecture.md ("What is loaded when").
 */
export function limitHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): boolean {
  const given = (s: string): boolean => /--heap[-_]growing[-_]percent/.test(s);
  if (execArgv.some(given) || (nodeOptions !== undefined && given(nodeOptions))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
