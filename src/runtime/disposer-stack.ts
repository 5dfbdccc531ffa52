/** What was built, undone in reverse by `close()`. */
export interface DisposerStack {
  /** Records how to undo what was just built (a name for the error, should undoing fail). */
  push(name: string, dispose: () => void | Promise<void>): void;
  /**
   * Undoes everything pushed, last first, each once, waiting for each; keeps going when one fails
   * and then throws (the one error, or an AggregateError naming each). A second call does nothing.
   */
  close(): Promise<void>;
}

export function createDisposerStack(): DisposerStack {
  const entries: { name: string; dispose: () => void | Promise<void> }[] = [];
  return {
    push(name, dispose) {
      entries.push({ name, dispose });
    },
    async close() {
      const errors: Error[] = [];
      for (let entry = entries.pop(); entry !== undefined; entry = entries.pop()) {
        try {
          await entry.dispose();
        } catch (err) {
          errors.push(
            new Error(`closing ${entry.name} failed: ${(err as Error).message}`, { cause: err }),
          );
        }
      }
      const [first] = errors;
      if (first !== undefined && errors.length === 1) throw first;
      if (errors.length > 1)
        throw new AggregateError(errors, errors.map((e) => e.message).join("; "));
    },
  };
}
