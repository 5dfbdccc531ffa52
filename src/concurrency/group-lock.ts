/**
 * One decider per concurrency group at a time (issue 12): the group scheduler lists a group,
 * counts its free slots and journals starts under this lock, so two schedulers (two replicas, or
 * a watch notification and a resync in one process) never both fill the same free slot.
 */
export interface GroupLock {
  /**
   * Runs `work` holding the group's lock. `ran: false`: another process holds it and is deciding
   * for the group now (it sees the same changes, so this pass is not needed); the in-process
   * lock always waits and runs.
   */
  withLock<T>(groupId: string, work: () => Promise<T>): Promise<LockOutcome<T>>;
  close(): Promise<void>;
}

export type LockOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * An in-process mutex per group: enough for the memory and SQLite journals, which have one
 * process per journal (the SQLite file's lock sees to it).
 */
export function createMutexGroupLock(): GroupLock & {
  /** For the PostgreSQL lock: the in-process queue in front of its one connection. */
  serialize<T>(groupId: string, work: () => Promise<T>): Promise<T>;
} {
  const tails = new Map<string, Promise<unknown>>();
  const serialize = <T>(groupId: string, work: () => Promise<T>): Promise<T> => {
    const before = tails.get(groupId) ?? Promise.resolve();
    const mine = before.then(work, work);
    // The tail never rejects, so the next waiter runs whatever this one did.
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    tails.set(groupId, tail);
    void tail.then(() => {
      if (tails.get(groupId) === tail) tails.delete(groupId);
    });
    return mine;
  };
  return {
    serialize,
    async withLock<T>(groupId: string, work: () => Promise<T>): Promise<LockOutcome<T>> {
      return { ran: true, value: await serialize(groupId, work) };
    },
    close: () => Promise.resolve(),
  };
}
