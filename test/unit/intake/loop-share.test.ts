import { afterEach, describe, expect, it } from "vitest";
import { LOOP_SHARE_MS, loopShareWaiting, takeLoopShare } from "../../../src/intake/loop-share.js";

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Keeps the CPU busy for `ms`, as an event's synchronous work does. */
function work(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

afterEach(async () => {
  // Let every waiting event go, and the share start afresh.
  while (loopShareWaiting() > 0) await turn();
  await turn();
});

describe("takeLoopShare", () => {
  it("lets events go at once while their phase has not used its share", () => {
    expect(takeLoopShare()).toBeUndefined();
    expect(takeLoopShare()).toBeUndefined();
  });

  it("makes the events after a share's worth of work wait for a later phase, in arrival order", async () => {
    expect(takeLoopShare()).toBeUndefined();
    work(LOOP_SHARE_MS + 1);
    const order: string[] = [];
    const first = takeLoopShare();
    const second = takeLoopShare();
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBeInstanceOf(Promise);
    const both = Promise.all([
      first?.then(() => order.push("first")),
      second?.then(() => order.push("second")),
    ]);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(order).toEqual([]); // not in this phase's microtasks
    await both;
    expect(order).toEqual(["first", "second"]);
  });

  it("queues a newcomer behind waiting events even when its phase has room", async () => {
    expect(takeLoopShare()).toBeUndefined();
    // Runs at the start of the next phase, which has a fresh share (boxed: a promise given to
    // resolve would be adopted).
    const newcomer = new Promise<{ share: Promise<void> | undefined }>((resolve) =>
      setImmediate(() => resolve({ share: takeLoopShare() })),
    );
    work(LOOP_SHARE_MS + 1);
    const order: string[] = [];
    const waiting = takeLoopShare()?.then(() => order.push("waiting"));
    const late = (await newcomer).share;
    expect(late).toBeInstanceOf(Promise);
    await Promise.all([waiting, late?.then(() => order.push("newcomer"))]);
    expect(order).toEqual(["waiting", "newcomer"]);
  });

  it("lets at least one event go every turn, however long each one works", async () => {
    expect(takeLoopShare()).toBeUndefined();
    work(LOOP_SHARE_MS + 1);
    const released: number[] = [];
    let turns = 0;
    let counting = true;
    const countTurns = (): void => {
      turns++;
      if (counting) setImmediate(countTurns);
    };
    setImmediate(countTurns);
    const events = [0, 1, 2, 3].map(() => {
      const share = takeLoopShare();
      expect(share).toBeInstanceOf(Promise);
      return share?.then(() => {
        released.push(turns);
        work(LOOP_SHARE_MS * 2); // each one uses more than a share
      });
    });
    await Promise.all(events.map((e) => e ?? Promise.reject(new Error("not queued"))));
    counting = false;
    expect(released).toHaveLength(4);
    // One per turn: each released in a later turn than the one before it.
    for (let i = 1; i < released.length; i++)
      expect(released[i]).toBeGreaterThan(released[i - 1] ?? Infinity);
  });
});
