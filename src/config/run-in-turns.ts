import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CONFIG_LOAD_SLICE_MS } from "../settings/defaults.js";

/**
 * Runs `steps` (a generator that pauses between units of work: a document, a binding, a listener)
 * to its end, giving the event loop a turn whenever a slice of `sliceMs` is used up, so that a
 * reload of a big config does not hold up requests. The longest wait is one slice plus one unit.
 */
export async function runInTurns<T>(
  steps: Generator<void, T, undefined>,
  sliceMs = CONFIG_LOAD_SLICE_MS,
): Promise<T> {
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    if (performance.now() - since >= sliceMs) {
      await nextTurn();
      since = performance.now();
    }
  }
}

/** Runs `steps` to its end at once (for callers that must stay synchronous). */
export function runAtOnce<T>(steps: Generator<void, T, undefined>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}
