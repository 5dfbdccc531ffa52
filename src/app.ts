import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Metrics } from "./admin/metrics.js";
import type { CompiledConfig, CompiledListener } from "./config/compiled.js";
import { codes, type ErrorCode } from "./errors/codes.js";
import { describeError, HooklineError } from "./errors/hookline-error.js";
import type { SecretValues } from "./core/secret-values.js";
import { canonicalHeaders } from "./core/canonical-header.js";
import { identifyProvider } from "./intake/identify-provider.js";
import { createBodyBudget, type BodyBudget, type BodyRefusal } from "./intake/body-budget.js";
import { busy, readBody } from "./intake/read-body.js";
import type { IncomingEvent } from "./core/incoming-event.js";
import {
  SpanKind,
  SpanStatusCode,
  startSpan,
  traceCarrierOf,
  type StartedSpan,
  type TraceCarrier,
  type Tracer,
} from "./core/span-parent.js";
import { startServerSpan } from "./intake/start-server-span.js";
import type { SecretResolver } from "./interceptors/types.js";
import { duplicateAnswer, errorBody } from "./listener/answer-event.js";
import { processEvent } from "./listener/process-event.js";
import { createRateLimiter, type RateLimiter } from "./concurrency/token-bucket.js";
import { routeListener } from "./listener/route-listener.js";
import { landingPage } from "./listener/landing-page.js";
import { toStoredEvent } from "./listener/to-stored-event.js";
import { toMetadataEvent } from "./listener/to-metadata-event.js";
import { keepsBody } from "./listener/processed-event.js";
import { countOutcomes } from "./listener/count-outcomes.js";
import {
  createUnauthenticatedQuota,
  type UnauthenticatedDropReason,
  type UnauthenticatedQuota,
} from "./listener/unauthenticated-quota.js";
import type { EventAnswer } from "./listener/types.js";
import type { ProcessedEvent } from "./listener/processed-event.js";
import { pickLoggableHeaders } from "./log/loggable-headers.js";
import type { Logger } from "./core/logger.js";
import {
  BUSY_RETRY_AFTER_S,
  DEFAULT_BODIES_PER_SOURCE,
  DEFAULT_BODY_BUDGET,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_BODY,
  REQUEST_TIMEOUT_MS,
} from "./settings/defaults.js";
import type { JournalBudget } from "./store/journal-budget.js";
import { notApplicableSet } from "./store/not-applicable-set.js";
import { listenerKey, type Journal, type RecordResult, type StoredEvent } from "./store/types.js";

export interface AppDeps {
  /** The config in force (a getter, so that a reload can swap it). */
  config: () => CompiledConfig;
  secrets: SecretResolver;
  /** The secret values `secrets` handed out: redacted by value from what is stored. */
  secretValues?: SecretValues;
  /** Where events are recorded before the answer; the delivery worker reads it. */
  journal: Journal;
  /** Counts events and trigger outcomes for /metrics on the admin port. */
  metrics?: Metrics;
  /** Called after an event with resources to create was recorded (wakes the delivery worker). */
  onRecorded?: () => void;
  log: Logger;
  /** The listener other paths go to, as `namespace/name` or `name` (HOOKLINE_LISTENER). */
  defaultListener?: string | undefined;
  maxBodyBytes?: number;
  /** Bytes of bodies held at once by requests not yet answered (HOOKLINE_BODY_BUDGET). */
  bodyBudgetBytes?: number;
  /** Bodies being received at once from one source address; 0 for no cap (HOOKLINE_BODIES_PER_SOURCE). */
  bodiesPerSource?: number;
  /**
   * Bounds the metadata-only rows (requests nobody authenticated, that fired nothing) journaled
   * per listener and per source address; by default settings/defaults.ts's quotas.
   */
  unauthenticatedQuota?: UnauthenticatedQuota;
  /** The journal's size rules: metadata-only rows are not stored past its total cap. */
  journalBudget?: JournalBudget;
  deadlineMs?: number;
  requestTimeoutMs?: number;
  /**
   * Makes the request's spans when tracing is configured (undefined: no span is made, nor any
   * attribute built).
   */
  tracer?: Tracer | undefined;
  /**
   * Told of each answered event (not a duplicate) once it is journaled: the Kubernetes Events
   * reporter. Must return at once; it never throws.
   */
  onAnswered?: ((listener: CompiledListener, processed: ProcessedEvent) => void) | undefined;
  /** The admin port's deliveries page (`http://127.0.0.1:9000/ui/`), named by the landing page. */
  adminPage?: string;
  /**
   * `hookline.dev/rate-limit`'s token buckets (in memory, this process's; a reload keeps them, as
   * the app outlives configs). By default, fresh ones on the wall clock; tests inject a clock.
   */
  rateLimiter?: RateLimiter;
}

/** An answer given before any trigger ran (never changed). */
const NO_TRIGGERS: Pick<ProcessedEvent, "traces" | "notApplicable"> = {
  traces: [],
  notApplicable: [],
};

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The listener port's request handler, on node:http directly: this is the hot path. It never
 * listens itself; `main` and the tests do.
 */
export function createApp(deps: AppDeps): RequestHandler {
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const requestTimeoutMs = deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const budget = createBodyBudget({
    maxBytes: deps.bodyBudgetBytes ?? DEFAULT_BODY_BUDGET,
    perSource: deps.bodiesPerSource ?? DEFAULT_BODIES_PER_SOURCE,
  });
  const eventDeps = {
    ...deps,
    unauthenticatedQuota: deps.unauthenticatedQuota ?? createUnauthenticatedQuota(),
    rateLimiter: deps.rateLimiter ?? createRateLimiter(),
  };

  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && path === "/live") return void sendText(res, 200, "ok\n");
    if (req.method === "GET" && path === "/ready") {
      // Ready once the config is loaded (it is, or there would be no app) and the journal takes
      // writes: its last write, or a probe write, succeeded (src/store/write-health.ts).
      void deps.journal
        .health()
        .catch(() => ({ ready: false, reason: "the journal cannot be reached" }) as const)
        .then((h) =>
          h.ready
            ? sendJSON(res, 200, { status: "ready" })
            : sendJSON(res, 503, { status: "journal unavailable", reason: h.reason }),
        );
      return;
    }
    const listener = routeListener(deps.config().listeners, path, deps.defaultListener);
    if (listener === undefined) {
      req.resume();
      return void sendJSON(res, 404, {
        errorMessage: "no EventListener serves this path",
        code: "HL_LISTENER_NOT_FOUND" satisfies ErrorCode,
      });
    }
    if (isBodilessRead(req) && listener.reply !== "tekton" && listener.payloadValidation) {
      // A browser on the listener URL: tell it what this is; it is no event (nothing journaled).
      // Such a request would be refused as an invalid payload; without payload validation (or
      // under Tekton's reply) it is an event as in Tekton, and goes on.
      req.resume();
      return void sendText(res, 200, landingPage(listener, deps.adminPage));
    }
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      // Tekton's TimeoutHandler answer; the connection is closed, so an unfinished body stops here.
      res.setHeader("Connection", "close");
      sendText(res, 503, "EventListener Timeout!\n");
      res.once("finish", () => req.destroy());
    }, requestTimeoutMs);
    handleEvent(req, res, listener, eventDeps, { maxBody, deadlineMs, budget })
      .catch((err: unknown) => {
        deps.log.error("request failed", { error: describeError(err) });
        if (!res.headersSent)
          sendError(res, listener, "HL_LISTENER_INTERNAL", "internal error", undefined);
      })
      .finally(() => clearTimeout(timer));
  };
}

async function handleEvent(
  req: IncomingMessage,
  res: ServerResponse,
  listener: CompiledListener,
  deps: AppDeps & { unauthenticatedQuota: UnauthenticatedQuota; rateLimiter: RateLimiter },
  limits: { maxBody: number; deadlineMs: number; budget: BodyBudget },
): Promise<void> {
  const { maxBody, deadlineMs, budget } = limits;
  const eventId = randomUUID();
  const started = performance.now();
  const server =
    deps.tracer === undefined
      ? undefined
      : startServerSpan(deps.tracer, req, res, `/listeners/${listener.namespace}/${listener.name}`);
  server?.span.setAttributes({
    "hookline.event_id": eventId,
    "hookline.listener": `${listener.namespace}/${listener.name}`,
  });
  const count = (
    outcome: string,
    status: number,
    triggers: Pick<ProcessedEvent, "traces" | "notApplicable"> = NO_TRIGGERS,
  ): void =>
    deps.metrics?.eventAnswered(
      `${listener.namespace}/${listener.name}`,
      outcome,
      status,
      (performance.now() - started) / 1000,
      triggers.traces,
      triggers.notApplicable,
    );
  // The body's bytes count against the budget from before it is read until the answer is sent
  // (or the connection is gone): a body over --max-body reserves nothing, it gets its 413 unread.
  const declared = declaredLength(req);
  const admission = budget.admit(req.socket.remoteAddress ?? "", declared > maxBody ? 0 : declared);
  if (admission.kind === "refused") return refuseBusy(res, listener, deps, admission.reason);
  res.once("close", () => admission.ticket.release());
  let raw: Buffer;
  try {
    raw = await readBody(req, maxBody, admission.ticket);
    admission.ticket.received();
  } catch (err) {
    admission.ticket.received();
    if (res.headersSent) return; // The 503 timeout answered already.
    const e =
      err instanceof HooklineError
        ? err
        : new HooklineError("HL_INTAKE_READ_FAILED", "the request body could not be read");
    if (e.code === "HL_INTAKE_BUSY") return refuseBusy(res, listener, deps, "budget");
    if (e.code === "HL_INTAKE_BODY_TOO_LARGE") deps.metrics?.intakeRefused("too_large");
    deps.log.warn("request body refused", { eventId, code: e.code, listener: listener.name });
    count("invalid", e.status);
    res.setHeader("Connection", "close");
    sendError(res, listener, e.code, e.message, eventId);
    req.resume();
    return;
  }
  const header = canonicalHeaders(req.rawHeaders);
  const { provider, deliveryId } = identifyProvider(header);
  const event: IncomingEvent = {
    eventId,
    receivedAt: new Date(),
    method: req.method ?? "POST",
    url: req.url ?? "/",
    header,
    rawBody: raw,
    provider,
    deliveryId,
  };
  const log = deps.log.child({ eventId, deliveryId, provider, listener: listener.name });
  // A trace the sampler left out gets no child spans: with every sampler of the SDK spec they
  // would be left out too (parent-based ones follow the parent, ratio ones decide by trace id).
  const recording = server?.span.isRecording() === true ? server : undefined;
  if (server !== undefined) {
    server.span.setAttributes({
      "hookline.provider": provider,
      "http.request.body.size": raw.length,
    });
    if (deliveryId !== undefined) server.span.setAttribute("hookline.delivery_id", deliveryId);
  }
  // The header pick is work of its own: skipped when the line would not be written.
  if (log.isLevelEnabled("debug")) {
    log.debug("event received", { bytes: raw.length, headers: pickLoggableHeaders(header) });
  }
  const { journal } = deps;
  try {
    // The journal is asked first, so that processEvent decides without touching it.
    const deliveryIdOwner =
      deliveryId === undefined
        ? undefined
        : await journal.findDeliveryIdOwner(listenerKey(listener), deliveryId);
    const processed = await processEvent(
      { listener, event, deliveryIdOwner },
      {
        secrets: deps.secrets,
        log,
        deadlineMs,
        trace: recording?.child,
        rateLimiter: deps.rateLimiter,
      },
    );
    const { outcome, runs } = processed;
    server?.span.setAttribute("hookline.outcome", outcome);
    let answer = processed.answer;
    const result =
      server === undefined
        ? await recordEvent(event, listener, processed, req, deps, log)
        : await commitEvent(event, listener, processed, req, deps, log, server, recording);
    if (result.kind === "stored" && (result.superseded?.length ?? 0) > 0) {
      const superseded = result.superseded ?? [];
      deps.metrics?.runsSuperseded(listenerKey(listener), superseded.length);
      // The log already names this event (eventId): the runs of older ones it superseded.
      log.info("superseded runs of a concurrency group", {
        superseded: superseded.length,
        supersededBy: eventId,
        runs: superseded,
      });
    }
    // A concurrent copy of the delivery id fired first: this one is a duplicate after all.
    if (result.kind === "duplicate" && answer.kind !== "duplicate")
      answer = duplicateAnswer(listener, result.originalEventId, deliveryId);
    if (answer.kind === "duplicate") {
      count("duplicate", 200, processed);
    } else {
      if (answer.body["code"] === "HL_INTAKE_TOO_COMPLEX")
        deps.metrics?.intakeRefused("too_complex");
      count(outcome, answer.status, processed);
      if (runs.length > 0 && result.kind === "stored") deps.onRecorded?.();
      deps.onAnswered?.(listener, processed);
    }
    // Past the request timeout the sender has had Tekton's 503; the event is recorded all the same.
    if (!res.headersSent) sendAnswer(res, answer);
    // The event's one info line: what it was, and how its triggers ended, counted.
    if (log.isLevelEnabled("info")) {
      log.info(answer.kind === "duplicate" ? "duplicate delivery" : "event answered", {
        status: answer.status,
        outcome: answer.kind === "duplicate" ? "duplicate" : outcome,
        triggers: countOutcomes(processed),
        bytes: raw.length,
        headers: pickLoggableHeaders(header),
        ...(answer.kind === "duplicate"
          ? { originalEventId: answer.headers["x-hookline-event-id"] }
          : {}),
      });
    }
  } catch (err) {
    // The journal failed: nothing of the event is kept, so the sender must be told to retry.
    log.error("event not stored", { error: describeError(err) });
    count("failed", 503);
    if (!res.headersSent) {
      sendError(
        res,
        listener,
        "HL_JOURNAL_UNAVAILABLE",
        "the event could not be stored; retry later",
        eventId,
      );
    }
  }
}

/** A GET or HEAD that announces no body (no Content-Length above 0, no Transfer-Encoding). */
function isBodilessRead(req: IncomingMessage): boolean {
  return (
    (req.method === "GET" || req.method === "HEAD") &&
    declaredLength(req) === 0 &&
    req.headers["transfer-encoding"] === undefined
  );
}

/** Content-Length as a number of bytes; 0 when there is none (a chunked body) or it is not one. */
function declaredLength(req: IncomingMessage): number {
  const n = Number(req.headers["content-length"]);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/**
 * 503 with Retry-After for a body that does not fit in the budget, sent without reading the body
 * (what has not arrived is never read; the connection is closed after the answer). Logged at
 * debug only: a flood must not become a flood of log lines; the metric counts them.
 */
function refuseBusy(
  res: ServerResponse,
  listener: CompiledListener,
  deps: AppDeps,
  reason: BodyRefusal,
): void {
  deps.metrics?.intakeRefused(reason);
  deps.log.debug("request refused: intake busy", { listener: listener.name, reason });
  if (res.headersSent) return;
  const e = busy();
  res.setHeader("Retry-After", String(BUSY_RETRY_AFTER_S));
  res.setHeader("Connection", "close");
  sendError(res, listener, e.code, e.message, undefined);
  // Node closes the connection once the answer is out (Connection: close); unread bytes unkept.
}

/**
 * `recordEvent` under a "journal commit" span, the server span's context stored with the event
 * (its deliveries' spans join the request's trace, even after a restart).
 */
async function commitEvent(
  event: IncomingEvent,
  listener: CompiledListener,
  processed: ProcessedEvent,
  req: IncomingMessage,
  deps: AppDeps & { unauthenticatedQuota: UnauthenticatedQuota },
  log: Logger,
  server: StartedSpan,
  recording: StartedSpan | undefined,
): Promise<RecordResult | { kind: "dropped" }> {
  // Stored even for a trace the sampler left out: the deliveries keep its decision.
  if (recording === undefined)
    return recordEvent(event, listener, processed, req, deps, log, traceCarrierOf(server.span));
  const commit = startSpan(recording.child, "journal commit", {
    kind: SpanKind.CLIENT,
    attributes: {
      "db.system.name": journalSystem(deps.journal.kind),
      "db.operation.name": "record",
      "hookline.event_id": event.eventId,
      "hookline.runs": processed.runs.length,
    },
  });
  try {
    const result = await recordEvent(
      event,
      listener,
      processed,
      req,
      deps,
      log,
      traceCarrierOf(server.span),
    );
    commit?.span.setAttribute("hookline.journal.result", result.kind);
    commit?.span.end();
    return result;
  } catch (err) {
    commit?.span.setStatus({
      code: SpanStatusCode.ERROR,
      message: "the journal could not store the event",
    });
    commit?.span.end();
    throw err;
  }
}

/** The OpenTelemetry `db.system.name` of a journal. */
function journalSystem(kind: Journal["kind"]): string {
  return kind === "postgres" ? "postgresql" : kind;
}

/**
 * Journals the event: whole when a trigger authenticated its sender or it fired; else as a
 * metadata-only row, within the listener's and the source address's quotas (past them nothing is
 * written, and the counter says so: the sender's answer is the same).
 */
async function recordEvent(
  event: IncomingEvent,
  listener: CompiledListener,
  processed: ProcessedEvent,
  req: IncomingMessage,
  deps: AppDeps & { unauthenticatedQuota: UnauthenticatedQuota },
  log: Logger,
  traceContext?: TraceCarrier,
): Promise<RecordResult | { kind: "dropped" }> {
  const { outcome, runs, answer } = processed;
  if (keepsBody(processed)) {
    const stored = toStoredEvent(
      event,
      listener,
      answer.status,
      outcome,
      processed,
      deps.secretValues,
    );
    if (traceContext !== undefined) stored.traceContext = traceContext;
    return deps.journal.record(stored, runs);
  }
  const key = listenerKey(listener);
  // A duplicate names the delivery id of an event that fired: its metadata row is always kept,
  // so that every copy of a delivery is on record (a sender must know such an id to make one).
  const drop = (reason: UnauthenticatedDropReason): { kind: "dropped" } => {
    deps.metrics?.unauthenticatedDropped(key, reason);
    log.debug("metadata-only row dropped", { reason });
    return { kind: "dropped" };
  };
  // The quotas first: a row they drop is not even built (its body hashed).
  const overQuota =
    outcome === "duplicate"
      ? undefined
      : deps.unauthenticatedQuota.admit(key, req.socket.remoteAddress ?? "unknown");
  if (overQuota !== undefined) return drop(overQuota);
  const row = toMetadataEvent(event, listener, answer, outcome, processed, deps.secretValues);
  // The journal's total cap (HOOKLINE_JOURNAL_MAX) is never passed for such a row.
  if (deps.journalBudget?.admitsUnauthenticated(metadataRowBytes(row)) === false)
    return drop("journal-full");
  if (traceContext !== undefined) row.traceContext = traceContext;
  return deps.journal.record(row, runs);
}

/** About what a metadata-only row costs the journal (as `Journal.storedBytes` counts it). */
function metadataRowBytes(row: StoredEvent): number {
  return (
    row.url.length +
    JSON.stringify(row.headers).length +
    JSON.stringify(row.traces).length +
    // Its not-applicable set, as if it were new (packed once per shared list, not per event).
    (row.notApplicable === undefined || row.notApplicable.length === 0
      ? 0
      : notApplicableSet(row.notApplicable).packed.length)
  );
}

function sendAnswer(res: ServerResponse, answer: EventAnswer): void {
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  sendJSON(res, answer.status, answer.body);
}

/** Tekton's error shape, plus hookline's code and the event id. */
function sendError(
  res: ServerResponse,
  listener: CompiledListener,
  code: ErrorCode,
  message: string,
  eventId: string | undefined,
): void {
  sendJSON(res, codes[code].status, errorBody(listener, code, message, eventId));
}

function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  // Tekton's json.Encoder ends the body with a newline.
  const text = `${JSON.stringify(body)}\n`;
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}
