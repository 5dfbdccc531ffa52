import { DEFAULT_JSON_LIMITS, scanJsonLimits, type JsonLimits } from "./scan-json-limits.js";

/**
 * Parses JSON once and remembers the result (or the error) for every later reader. A text past
 * the structure limits is refused (HL_INTAKE_TOO_COMPLEX) before JSON.parse runs: this is the one
 * parse point of an event's body, reached only when something reads the body, so the scan too
 * runs at most once per event and never for a body nothing parses.
 */
export function memoJSON(raw: Buffer, limits: JsonLimits = DEFAULT_JSON_LIMITS): () => unknown {
  let done = false;
  let value: unknown;
  let error: Error | undefined;
  return () => {
    if (!done) {
      done = true;
      try {
        if (raw.length === 0) value = undefined;
        else {
          scanJsonLimits(raw, limits);
          value = JSON.parse(raw.toString("utf8")) as unknown;
        }
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err));
      }
    }
    if (error !== undefined) throw error;
    return value;
  };
}
