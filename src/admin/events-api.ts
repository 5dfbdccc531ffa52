import { Router, type Request, type Response } from "express";
import { describeError, HooklineError } from "../errors/hookline-error.js";
import type { ReplayResult } from "../listener/replay-event.js";
import type { Logger } from "../core/logger.js";
import { countsUntil } from "../store/event-counts.js";
import type {
  EventCountBucket,
  EventCountQuery,
  EventFilter,
  EventOutcome,
  EventSummary,
  Journal,
  StoredEvent,
} from "../store/types.js";
import { chartQuery, parseChartRange } from "./event-chart-range.js";
import type { GroupRunStore } from "../concurrency/types.js";
import { toEventView, withQueuePositions } from "./event-view.js";
import { sendAdminError } from "./send-admin-error.js";

const OUTCOMES: readonly EventOutcome[] = [
  "fired",
  "filtered",
  "rejected",
  "failed",
  "duplicate",
  "invalid",
  "rate_limited",
];
const MAX_LIMIT = 200;

export interface EventsApiDeps {
  journal: Journal;
  /** Re-runs a stored event through the current config and records it (src/listener/replay-event.ts). */
  replay: (event: StoredEvent) => Promise<ReplayResult>;
  log: Logger;
  /** The concurrency groups' runs, for a queued run's place (AdminDeps.groupRuns). */
  groupRuns?: GroupRunStore | undefined;
}

/** Reads the list filters from a query string; throws HL_ADMIN_BAD_REQUEST naming the parameter. */
export function parseEventFilter(query: Request["query"]): EventFilter {
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string")
      throw new HooklineError("HL_ADMIN_BAD_REQUEST", `${name} must be given once`);
    return v === "" ? undefined : v;
  };
  const filter: EventFilter = { limit: 50 };
  const limit = one("limit");
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
      throw new HooklineError(
        "HL_ADMIN_BAD_REQUEST",
        `limit must be a whole number from 1 to ${MAX_LIMIT}`,
      );
    filter.limit = n;
  }
  const listener = one("listener");
  if (listener !== undefined) filter.listener = parseListenerRef(listener);
  const outcome = one("outcome");
  if (outcome !== undefined) {
    const o = OUTCOMES.find((x) => x === outcome);
    if (o === undefined)
      throw new HooklineError(
        "HL_ADMIN_BAD_REQUEST",
        `outcome must be one of ${OUTCOMES.join(", ")}`,
      );
    filter.outcome = o;
  }
  const trigger = one("trigger");
  if (trigger !== undefined) filter.trigger = trigger;
  const deliveryId = one("deliveryId");
  if (deliveryId !== undefined) filter.deliveryId = deliveryId;
  // A concurrency group: its readable key as rendered, or its group id (`<namespace>/<hash>`).
  const group = one("group");
  if (group !== undefined) filter.group = group;
  for (const key of ["since", "until"] as const) {
    const v = one(key);
    if (v === undefined) continue;
    const d = new Date(v);
    if (Number.isNaN(d.getTime()))
      throw new HooklineError("HL_ADMIN_BAD_REQUEST", `${key} must be an ISO 8601 time`);
    filter[key] = d;
  }
  const cursor = one("cursor");
  if (cursor !== undefined) filter.cursor = cursor;
  return filter;
}

/** `namespace/name`, or `name` in `default`. */
function parseListenerRef(text: string): { namespace: string; name: string } {
  const [namespace, name] = text.includes("/") ? text.split("/", 2) : ["default", text];
  return { namespace: namespace ?? "default", name: name ?? "" };
}

/** The chart's query from `range` and `listener` (the other list filters do not apply to it). */
export function parseEventCountQuery(query: Request["query"], now: Date): EventCountQuery {
  for (const name of ["range", "listener"])
    if (query[name] !== undefined && typeof query[name] !== "string")
      throw new HooklineError("HL_ADMIN_BAD_REQUEST", `${name} must be given once`);
  const listener = query["listener"];
  return chartQuery(
    parseChartRange(query["range"]),
    now,
    typeof listener === "string" && listener !== "" ? parseListenerRef(listener) : undefined,
  );
}

/** The chart's numbers as the API gives them. */
export function eventCountsJSON(
  query: EventCountQuery,
  buckets: readonly EventCountBucket[],
): Record<string, unknown> {
  return {
    bucketSeconds: query.bucketMs / 1000,
    since: query.since.toISOString(),
    until: countsUntil(query).toISOString(),
    buckets: buckets.map((b) => ({ start: b.start.toISOString(), counts: b.counts })),
  };
}

export function summaryJSON(e: EventSummary): Record<string, unknown> {
  return {
    id: e.id,
    listener: e.listener,
    provider: e.provider,
    eventType: e.eventType ?? null,
    deliveryId: e.deliveryId ?? null,
    receivedAt: e.receivedAt.toISOString(),
    status: e.status,
    outcome: e.outcome,
    triggers: e.triggers,
    notApplicable: e.notApplicable,
    duplicateOf: e.duplicateOf ?? null,
    replayOf: e.replayOf ?? null,
  };
}

/** `/api/v1/events`: list, show with the whole decision trace, replay. */
export function createEventsApi(deps: EventsApiDeps): Router {
  const router = Router();
  const fail = (res: Response, err: unknown): void => {
    if (err instanceof HooklineError && err.status < 500)
      return sendAdminError(res, err.code, err.message);
    deps.log.error("admin request failed", { error: describeError(err) });
    sendAdminError(res, "HL_LISTENER_INTERNAL", "internal error");
  };

  router.get("/event-counts", async (req, res) => {
    try {
      const query = parseEventCountQuery(req.query, new Date());
      res.json(eventCountsJSON(query, await deps.journal.countEvents(query)));
    } catch (err) {
      fail(res, err);
    }
  });

  router.get("/events", async (req, res) => {
    try {
      const page = await deps.journal.listEvents(parseEventFilter(req.query));
      res.json({ events: page.events.map(summaryJSON), next: page.next ?? null });
    } catch (err) {
      fail(res, err);
    }
  });

  router.get("/events/:id", async (req, res) => {
    try {
      const event = await deps.journal.getEvent(req.params.id);
      if (event === undefined)
        return void sendAdminError(res, "HL_EVENT_NOT_FOUND", `no event ${req.params.id}`);
      const runs = await deps.journal.getRuns(event.id);
      res.json(await withQueuePositions(toEventView(event, runs), runs, deps.groupRuns));
    } catch (err) {
      fail(res, err);
    }
  });

  router.post("/events/:id/replay", async (req, res) => {
    try {
      const event = await deps.journal.getEvent(req.params.id);
      if (event === undefined)
        return void sendAdminError(res, "HL_EVENT_NOT_FOUND", `no event ${req.params.id}`);
      const result = await deps.replay(event);
      res.status(202).json({
        eventID: result.event.id,
        replayOf: event.id,
        outcome: result.event.outcome,
        triggers: result.event.traces.map((t) => ({ trigger: t.trigger, outcome: t.outcome.kind })),
        notApplicable: result.event.notApplicable?.length ?? 0,
      });
    } catch (err) {
      fail(res, err);
    }
  });
  return router;
}
