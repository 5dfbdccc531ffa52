import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  createPostgresGroupLock,
  LOCK_GROUP,
} from "../../../src/concurrency/postgres-group-lock.js";

/** The server as for the journal's tests: HOOKLINE_TEST_POSTGRES_URL, or 127.0.0.1:5432 when it answers. */
const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";

function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const url =
  process.env.HOOKLINE_TEST_POSTGRES_URL ??
  (process.env.CI !== undefined || (await answers("127.0.0.1", 5432, 500))
    ? DEFAULT_URL
    : undefined);

describe.skipIf(url === undefined)("PostgreSQL group lock", () => {
  const schema = `gl_${randomBytes(6).toString("hex")}`;
  const make = () => createPostgresGroupLock({ url: url ?? "", schema, attempts: 2, retryMs: 10 });

  it("lets one replica decide for a group at a time; other groups are not held up", async () => {
    const a = make();
    const b = make();
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const first = a.withLock("ci/g1", async () => {
        entered();
        await held;
        return "a";
      });
      await inside;
      await expect(b.withLock("ci/g1", () => Promise.resolve("b"))).resolves.toEqual({
        ran: false,
      });
      await expect(b.withLock("ci/g2", () => Promise.resolve("b"))).resolves.toEqual({
        ran: true,
        value: "b",
      });
      release();
      await expect(first).resolves.toEqual({ ran: true, value: "a" });
      await expect(b.withLock("ci/g1", () => Promise.resolve("b"))).resolves.toEqual({
        ran: true,
        value: "b",
      });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a replica whose connection dies (kill -9) releases the lock", async () => {
    const a = make();
    const b = make();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const never = new Promise<void>(() => undefined);
      void a.withLock("ci/g1", async () => {
        entered();
        await never; // the process "dies" holding it
      });
      await inside;
      await expect(b.withLock("ci/g1", () => Promise.resolve(1))).resolves.toEqual({ ran: false });
      // What the server sees when a process is killed: its session ends.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks
          WHERE locktype = 'advisory' AND classid = $1 AND granted`,
        [LOCK_GROUP],
      );
      await expect(b.withLock("ci/g1", () => Promise.resolve(1))).resolves.toEqual({
        ran: true,
        value: 1,
      });
    } finally {
      await admin.end();
      await b.close();
      await a.close();
    }
  });
});
