import type { DeliveryView, GroupActionView } from "./event-view.js";

/**
 * What a concurrency group's action did, in the words the event page and `hookline events show`
 * both use (issue 12): a delivered cancel names the runs it cancelled ("cancelled PipelineRun a,
 * b", or "nothing older to cancel"), a delivered start the run it started; one not delivered yet
 * (pending, dead) says what it will do, its state shown beside it as other deliveries' is.
 */
export function groupActionLine(a: GroupActionView): string {
  const names = a.runs.map((r) => r.name).join(", ");
  if (a.action === "cancel") {
    if (a.state !== "delivered") return `cancel the group's older ${a.kind}s`;
    return a.runs.length === 0 ? "nothing older to cancel" : `cancelled ${a.kind} ${names}`;
  }
  const name = names === "" ? (a.target ?? "") : names;
  return a.state === "delivered"
    ? `started ${a.kind} ${name} (was queued)`
    : `start ${a.kind} ${name} (queued)`;
}

/** A queued run's line: "queued, 2 ahead", or "queued" when no run store can tell. */
export function queuedLine(queued: NonNullable<DeliveryView["queued"]>): string {
  return queued.ahead === null ? "queued" : `queued, ${queued.ahead} ahead`;
}
