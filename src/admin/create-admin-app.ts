import express, { type Express } from "express";
import type { ReplayResult } from "../listener/replay-event.js";
import type { Logger } from "../core/logger.js";
import { listenerKey, type Journal, type StoredEvent } from "../store/types.js";
import { requireToken } from "./auth.js";
import { checkHost } from "./check-host.js";
import { createCsrfTokens, type CsrfTokens } from "./csrf-tokens.js";
import { createEventNotices, type EventNotices } from "./event-notices.js";
import { toEventView, withQueuePositions } from "./event-view.js";
import type { GroupRunStore } from "../concurrency/types.js";
import { exportRequest, renderCurl, renderHttpFile } from "./export-request.js";
import { parseChartRange } from "./event-chart-range.js";
import { createEventsApi, parseEventCountQuery, parseEventFilter } from "./events-api.js";
import { sendAdminError } from "./send-admin-error.js";
import type { Metrics } from "./metrics.js";
import { refuseCrossSite } from "./refuse-cross-site.js";
import { requireJson } from "./require-json.js";
import { createRunsApi } from "./runs-api.js";
import type { FinishedRun, FinishReason } from "../sinks/local/local-group-runs.js";
import { securityHeaders } from "./security-headers.js";
import { renderEventPage } from "./ui/event-page.js";
import { renderEventsPage } from "./ui/events-page.js";
import { escapeHtml } from "./ui/html.js";
import { describeError, HooklineError } from "../errors/hookline-error.js";

export interface AdminDeps {
  journal: Journal;
  metrics: Metrics;
  replay: (event: StoredEvent) => Promise<ReplayResult>;
  log: Logger;
  /** HOOKLINE_ADMIN_TOKEN: required on every route but /metrics when set. */
  token: string | undefined;
  /**
   * HOOKLINE_ADMIN_HOSTS: names the port may be addressed by in `Host`, beside `localhost` and IP
   * literals (see check-host.ts). Default none.
   */
  allowedHosts?: readonly string[] | undefined;
  /** The Replay form's tokens; a fresh per-process secret by default. */
  csrf?: CsrfTokens | undefined;
  /**
   * Where the listener port answers (`http://localhost:8080`), for "copy as curl" and the .http
   * download; read when a page is made (the port is bound after the admin app is built).
   */
  listenerUrl?: (() => string) | undefined;
  /**
   * New-event notices for the page's live refresh (event-notices.ts); `journal` should be the
   * journal it wraps. Without it the stream answers with no notices.
   */
  notices?: EventNotices | undefined;
  /** HOOKLINE_TRACE_URL: the event page links to `{traceId}` replaced in it. */
  traceUrl?: string | undefined;
  /**
   * The concurrency groups' runs as they stand (the runtime's GroupRunStore): the event page and
   * `GET /api/v1/events/{id}` say how many runs a queued one waits behind. Without it a queued
   * run shows as "queued", without a count.
   */
  groupRuns?: GroupRunStore | undefined;
  /** The local sink's `POST /api/v1/runs/{ns}/{kind}/{name}/finish` (runs-api.ts). */
  finishRun?:
    | ((
        target: { namespace: string; kind: string; name: string },
        reason: FinishReason,
      ) => FinishedRun)
    | undefined;
}

/** The action a Replay form's CSRF token is bound to: a token for one event replays only it. */
const replayAction = (id: string): string => `replay:${id}`;

/** The Replay form's body: one hidden field, so a few kilobytes is plenty. */
const parseReplayForm = express.urlencoded({ extended: false, limit: "4kb" });

/**
 * The admin port: /metrics, the event log API (/api/v1) and the deliveries page (/ui/). express
 * earns its keep here; the listener port stays on node:http.
 */
export function createAdminApp(deps: AdminDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  const csrf = deps.csrf ?? createCsrfTokens();
  const listenerUrl = deps.listenerUrl ?? ((): string => "http://localhost:8080");
  // Order matters: the headers go on every answer, refusals included; the Host is checked before
  // anything is read (DNS rebinding); a cross-site POST is refused before the token is looked at,
  // so a browser that holds the token cannot be made to spend it.
  app.use(securityHeaders);
  app.use(
    checkHost({ allowedHosts: deps.allowedHosts ?? [], tokenRequired: deps.token !== undefined }),
  );
  app.use(refuseCrossSite);
  app.use(requireToken(deps.token));
  app.get("/metrics", async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  // A replay is a new event, the newest of its concurrency groups: the runs its record superseded
  // are counted as the listener port counts a delivered event's (hookline_runs_superseded_total).
  const replay = async (event: StoredEvent): Promise<ReplayResult> => {
    const result = await deps.replay(event);
    if (result.superseded.length > 0)
      deps.metrics.runsSuperseded(listenerKey(result.event.listener), result.superseded.length);
    return result;
  };
  const notices = deps.notices ?? createEventNotices(deps.journal);
  app.get("/api/v1/event-stream", notices.stream);
  app.use("/api/v1", requireJson, createEventsApi({ ...deps, replay }));
  app.use("/api/v1", requireJson, createRunsApi(deps));
  app.get("/", (_req, res) => res.redirect(302, "/ui/"));
  app.get("/ui/", async (req, res) => {
    try {
      const filter = parseEventFilter(req.query);
      const range = parseChartRange(req.query["range"]);
      const counts = parseEventCountQuery(req.query, new Date());
      const [page, buckets] = await Promise.all([
        deps.journal.listEvents(filter),
        deps.journal.countEvents(counts),
      ]);
      const query = Object.fromEntries(
        Object.entries(req.query).filter(
          (e): e is [string, string] => typeof e[1] === "string" && e[0] !== "cursor",
        ),
      );
      res.type("html").send(renderEventsPage(page, filter, query, { range, buckets }));
    } catch (err) {
      sendPageError(res, err, deps.log);
    }
  });
  app.get("/ui/events/:id", async (req, res) => {
    try {
      const event = await deps.journal.getEvent(req.params.id);
      if (event === undefined)
        return void res
          .status(404)
          .type("html")
          .send(`<p>No event ${escapeHtml(req.params.id)}. <a href="/ui/">All events</a></p>`);
      const request = exportRequest(event);
      const runs = await deps.journal.getRuns(event.id);
      const view = await withQueuePositions(toEventView(event, runs), runs, deps.groupRuns);
      res
        .type("html")
        .send(
          renderEventPage(
            view,
            csrf.issue(replayAction(event.id)),
            request === undefined ? undefined : renderCurl(request, event, listenerUrl()),
            deps.traceUrl,
          ),
        );
    } catch (err) {
      sendPageError(res, err, deps.log);
    }
  });
  app.get("/ui/events/:id/request.http", async (req, res) => {
    try {
      const event = await deps.journal.getEvent(req.params.id);
      const request = event === undefined ? undefined : exportRequest(event);
      if (event === undefined || request === undefined)
        return void res
          .status(404)
          .type("html")
          .send(`<p>No kept request for event ${escapeHtml(req.params.id)}.</p>`);
      res
        // attachment() sets a type from the file name: the type goes after it.
        .attachment(`hookline-${event.id}.http`)
        .type("message/http")
        .send(renderHttpFile(request, event, listenerUrl()));
    } catch (err) {
      sendPageError(res, err, deps.log);
    }
  });
  app.post("/ui/events/:id/replay", (req, res, next) =>
    parseReplayForm(req, res, (err?: unknown) => {
      if (err === undefined) return next();
      sendAdminError(res, "HL_ADMIN_BAD_REQUEST", "the Replay form's body is not valid");
    }),
  );
  app.post("/ui/events/:id/replay", async (req, res) => {
    try {
      const form: unknown = req.body;
      const token =
        typeof form === "object" && form !== null
          ? (form as Record<string, unknown>)["csrf"]
          : undefined;
      if (!csrf.verify(replayAction(req.params.id), token))
        return void sendAdminError(
          res,
          "HL_ADMIN_CSRF_INVALID",
          "the Replay form's token is missing, forged or expired: reload the event's page and press Replay again",
        );
      const event = await deps.journal.getEvent(req.params.id);
      if (event === undefined)
        return void res.status(404).type("html").send("<p>No such event.</p>");
      const result = await replay(event);
      res.redirect(303, `/ui/events/${result.event.id}`);
    } catch (err) {
      sendPageError(res, err, deps.log);
    }
  });
  app.use((_req, res) => sendAdminError(res, "HL_EVENT_NOT_FOUND", "no such admin route"));
  return app;
}

function sendPageError(res: express.Response, err: unknown, log: Logger): void {
  if (err instanceof HooklineError && err.status < 500) {
    res
      .status(err.status)
      .type("html")
      .send(`<p>${escapeHtml(err.message)}</p><p><a href="/ui/">All events</a></p>`);
    return;
  }
  log.error("admin page failed", { error: describeError(err) });
  res.status(500).type("html").send("<p>Internal error; see the log.</p>");
}
