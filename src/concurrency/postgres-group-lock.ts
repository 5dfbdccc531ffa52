import pg from "pg";
import { createMutexGroupLock, type GroupLock, type LockOutcome } from "./group-lock.js";

/**
 * `pg_try_advisory_lock(classid, objid)`'s classid for group locks: beside the journal's own
 * (src/store/postgres/schema.ts, 0x686c0001…), far enough from them to leave room.
 */
export const LOCK_GROUP = 0x686c0010;

export interface PostgresGroupLockOptions {
  url: string;
  /** The journal's schema: replicas of one journal share locks, other journals do not. */
  schema: string;
  /** Tries before giving the pass up to the replica that holds the lock (default 5)… */
  attempts?: number;
  /** …this long apart (default 100 ms). */
  retryMs?: number;
}

/**
 * The group lock of replicas sharing a PostgreSQL journal: a session-level advisory lock keyed
 * by a hash of the groupId, on one dedicated connection (not the pool's, whose connections are
 * handed from query to query), so that a replica killed with -9 releases every lock it held
 * when its connection drops. Inside the process, one group's passes queue on a mutex first
 * (session locks are re-entrant: the same connection would get the lock twice). A busy lock is
 * tried a few times without waiting on the connection (another group's pass may need it), then
 * left to the replica holding it, which sees the same watch events.
 */
export function createPostgresGroupLock(options: PostgresGroupLockOptions): GroupLock {
  const attempts = Math.max(1, options.attempts ?? 5);
  const retryMs = options.retryMs ?? 100;
  const mutex = createMutexGroupLock();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;

  const connect = (): Promise<pg.Client> => {
    if (client !== undefined) return Promise.resolve(client);
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: options.url });
      // A dropped connection took its locks with it: the next pass connects again.
      c.on("error", () => {
        if (client === c) client = undefined;
      });
      c.on("end", () => {
        if (client === c) client = undefined;
      });
      try {
        await c.connect();
      } finally {
        connecting = undefined;
      }
      client = c;
      return c;
    })();
    return connecting;
  };

  const key = (groupId: string): string => `${options.schema}\n${groupId}`;

  return {
    withLock<T>(groupId: string, work: () => Promise<T>): Promise<LockOutcome<T>> {
      return mutex.serialize(groupId, async (): Promise<LockOutcome<T>> => {
        if (closed) throw new Error("the group lock is closed");
        for (let attempt = 0; attempt < attempts; attempt++) {
          const c = await connect();
          const { rows } = await c.query<{ got: boolean }>(
            "SELECT pg_try_advisory_lock($1, hashtext($2)) AS got",
            [LOCK_GROUP, key(groupId)],
          );
          if (rows[0]?.got === true) {
            try {
              return { ran: true, value: await work() };
            } finally {
              await c
                .query("SELECT pg_advisory_unlock($1, hashtext($2))", [LOCK_GROUP, key(groupId)])
                // The connection is gone: so is the lock, with the session.
                .catch(() => undefined);
            }
          }
          await new Promise((resolve) => setTimeout(resolve, retryMs));
        }
        return { ran: false };
      });
    },
    async close() {
      closed = true;
      const c =
        client ?? (connecting === undefined ? undefined : await connecting.catch(() => undefined));
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
