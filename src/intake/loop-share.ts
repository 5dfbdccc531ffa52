import { performance } from "node:perf_hooks";

/**
 * How long the events of one loop phase may run before the next ones wait for a later turn.
 *
 * libuv accepts one connection per turn of the event loop (libuv/libuv#3696), and a turn runs the
 * events of every request read in it: at 100 busy keep-alive connections a turn held ~85 events
 * (~45 ms), so a new connection — GitHub opens one per delivery — waited 45 ms per connection
 * ahead of it to be accepted (the 100th of a burst: 3 s, while every accepted one was answered in
 * under 25 ms). With a share per phase the turn stays a few milliseconds long whatever the load.
 */
export const LOOP_SHARE_MS = 3;

/** When the current phase's share started; undefined until an event takes one. */
let shareStart: number | undefined;
/** Events waiting for a share, oldest first. */
const waiting: Array<() => void> = [];

function startShare(now: number): number {
  shareStart = now;
  // Runs first in this turn's check phase (or the next turn's, when started in one): the check
  // phase, and the poll phase after it, start a share of their own.
  setImmediate(endShare);
  return now;
}

function endShare(): void {
  shareStart = undefined;
}

/**
 * Before an event's work: `undefined` to go on at once (its phase has not used its share, and no
 * event is waiting), or a promise that resolves in a later phase, in arrival order. The event's
 * work runs right after the callback that lets it go, so each one released is counted against
 * that phase's share before the next is let go.
 */
export function takeLoopShare(): Promise<void> | undefined {
  const now = performance.now();
  const start = shareStart ?? startShare(now);
  if (waiting.length === 0 && now - start < LOOP_SHARE_MS) return undefined;
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    setImmediate(releaseOne);
  });
}

/**
 * One per waiting event, in the check phase: lets the oldest event go if the phase's share has
 * room, or tries again in the next turn (after the loop has polled, and accepted, again). The
 * first of a phase always has room, so every turn lets at least one event go.
 */
function releaseOne(): void {
  const now = performance.now();
  const start = shareStart ?? startShare(now);
  if (now - start < LOOP_SHARE_MS) waiting.shift()?.();
  else setImmediate(releaseOne);
}

/** Events waiting for a share now (for tests and metrics). */
export function loopShareWaiting(): number {
  return waiting.length;
}
