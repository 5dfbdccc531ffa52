import type { CompiledListener } from "../config/compiled.js";
import type { BucketRef, RateLimiter } from "../concurrency/token-bucket.js";
import type { TriggerTrace } from "./types.js";

/**
 * `hookline.dev/rate-limit`, applied to an event's traces once every trigger has run: a token is
 * taken only from a trigger that would fire (interceptors passed, resources rendered), so that a
 * filtered, rejected or unauthenticated event never drains a bucket. The listener's bucket gives
 * one token per event that fires at least one trigger; when it is empty, every trigger that
 * would fire is rate limited (scope `listener`) and no trigger's bucket is touched. Otherwise a
 * trigger whose own bucket is empty is rate limited (scope `trigger`), and the listener's token
 * is taken only if some trigger still fires. Synchronous, so no other event takes in between.
 *
 * The traces are changed in place (a rate-limited one keeps its interceptors and params, loses
 * its resources) and returned.
 */
export function applyRateLimits(
  listener: CompiledListener,
  traces: TriggerTrace[],
  limiter: RateLimiter,
): TriggerTrace[] {
  const perTrigger = listener.triggerRateLimits;
  if (listener.rateLimit === undefined && perTrigger === undefined) return traces;
  const wouldFire = traces.filter((t) => t.outcome.kind === "fired");
  if (wouldFire.length === 0) return traces;
  const listenerRef: BucketRef | undefined =
    listener.rateLimit === undefined
      ? undefined
      : { key: `listener:${listener.namespace}/${listener.name}`, limit: listener.rateLimit };
  if (listenerRef !== undefined && !limiter.hasToken(listenerRef)) {
    for (const t of wouldFire)
      t.outcome = { kind: "rateLimited", limit: listenerRef.limit.text, scope: "listener" };
    return traces;
  }
  let fired = 0;
  for (const t of wouldFire) {
    const limit = perTrigger?.get(t.triggerId);
    if (limit === undefined || limiter.take({ key: `trigger:${t.triggerId}`, limit })) fired++;
    else t.outcome = { kind: "rateLimited", limit: limit.text, scope: "trigger" };
  }
  // hasToken said yes just above, and nothing ran in between: this take succeeds.
  if (listenerRef !== undefined && fired > 0) limiter.take(listenerRef);
  return traces;
}
