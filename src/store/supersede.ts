import { LABEL_GROUP_HASH, type RunConcurrency } from "../concurrency/types.js";
import type { DeliveryRecord, PlannedRun, RunRecord } from "./types.js";

/**
 * Supersede before creating (issue 12): the rule the three journals apply inside `record`'s
 * transaction. A new run of a group whose strategy is cancel-in-progress(-gracefully) or
 * queue-latest supersedes every older run (by RunConcurrency.order) of the same groupId that is
 * still `pending`, not claimed (never, or its lease lapsed) and whose grouped resource was not
 * delivered. `queue` keeps every run, so it supersedes nothing.
 *
 * Out of order: when the new run is itself older than a run of its group already journaled (and
 * not dead), it is superseded at once, by the newest such run's event: creating it after the newer
 * one would start an outdated run beside (or after) the one that should win.
 */
export function supersedes(concurrency: RunConcurrency | undefined): boolean {
  return (
    concurrency !== undefined &&
    (concurrency.strategy === "cancel-in-progress" ||
      concurrency.strategy === "cancel-in-progress-gracefully" ||
      concurrency.strategy === "queue-latest")
  );
}

/** What a journal knows of one stored run of the group, to apply the rule to it. */
export interface GroupMember {
  id: string;
  eventId: string;
  state: string;
  order: string;
  /** The lease's end in ms since the epoch (0 or less: never claimed). */
  lockedUntil: number;
  deliveries: readonly DeliveryRecord[];
  concurrency: RunConcurrency;
}

/**
 * The grouped resource of a run: the resource delivery labelled with the group's hash (the planner
 * adds LABEL_GROUP_HASH), or else the first resource of the group's kind and apiVersion.
 */
export function groupedResourceDelivered(
  deliveries: readonly DeliveryRecord[],
  concurrency: RunConcurrency,
): boolean {
  const resources = deliveries.filter((d) => d.kind === "resource");
  const labelled = resources.find((d) => {
    const labels = (d.resource.body as { metadata?: { labels?: Record<string, unknown> } }).metadata
      ?.labels;
    return labels?.[LABEL_GROUP_HASH] === concurrency.groupHash;
  });
  const grouped =
    labelled ??
    resources.find(
      (d) =>
        d.resource.kind === concurrency.kind && d.resource.apiVersion === concurrency.apiVersion,
    );
  return grouped?.state === "delivered";
}

/** The older members a new run of the group supersedes now (none for `queue`). */
export function supersededBy(
  run: PlannedRun,
  members: readonly GroupMember[],
  nowMs: number,
): GroupMember[] {
  const c = run.concurrency;
  if (c === undefined || !supersedes(c)) return [];
  return members.filter(
    (m) =>
      m.id !== run.id &&
      m.concurrency.groupId === c.groupId &&
      m.order < c.order &&
      m.state === "pending" &&
      m.lockedUntil <= nowMs &&
      !groupedResourceDelivered(m.deliveries, m.concurrency),
  );
}

/**
 * For a run recorded out of order: the event of the newest run of its group that is newer than it
 * and not dead, which supersedes it at once; undefined when it is the newest (or `queue`).
 */
export function supersededOnArrival(
  run: PlannedRun,
  members: readonly GroupMember[],
): string | undefined {
  const c = run.concurrency;
  if (c === undefined || !supersedes(c)) return undefined;
  let newest: GroupMember | undefined;
  for (const m of members) {
    if (m.id === run.id || m.concurrency.groupId !== c.groupId || m.state === "dead") continue;
    if (m.order > c.order && (newest === undefined || m.order > newest.order)) newest = m;
  }
  return newest?.eventId;
}

/** A run as stored, once the record applied the rule to it. */
export function markSuperseded(run: RunRecord, by: string): RunRecord {
  return { ...run, state: "superseded", supersededBy: by };
}
