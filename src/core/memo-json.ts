/** Parses JSON once and remembers the result (or the error) for every later reader. */
export function memoJSON(raw: Buffer): () => unknown {
  let done = false;
  let value: unknown;
  let error: Error | undefined;
  return () => {
    if (!done) {
      done = true;
      try {
        value = raw.length === 0 ? undefined : (JSON.parse(raw.toString("utf8")) as unknown);
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err));
      }
    }
    if (error !== undefined) throw error;
    return value;
  };
}
