import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CompiledConfig, CompiledListener } from "./config/compiled.js";
import { describeError, HooklineError } from "./errors/hookline-error.js";
import { codes, type ErrorCode } from "./errors/codes.js";
import { canonicalHeaders } from "./intake/canonical-header.js";
import { identifyProvider } from "./intake/identify-provider.js";
import { readBody } from "./intake/read-body.js";
import { validatePayload } from "./intake/validate-payload.js";
import type { IncomingEvent } from "./intake/types.js";
import type { SecretResolver } from "./interceptors/types.js";
import { decideEvent } from "./listener/decide-event.js";
import { prepareEvent } from "./listener/prepare-event.js";
import { memoJSON } from "./intake/memo-json.js";
import type { Logger } from "./log/logger.js";
import type { Metrics } from "./admin/metrics.js";
import type { TriggerTrace } from "./listener/types.js";
import { performance } from "node:perf_hooks";
import { pickLoggableHeaders } from "./log/loggable-headers.js";
import { eventOutcome, planCloudEvents, planRuns } from "./listener/plan-runs.js";
import { ACCEPTED, isCloudEventRequest } from "./cloudevents/tekton-events.js";
import { toStoredEvent } from "./listener/to-stored-event.js";
import { serviceAccountsOf } from "./listener/service-accounts.js";
import { listenerKey, type Journal, type StoredEvent } from "./store/types.js";

export const DEFAULT_MAX_BODY = 25 * 1024 * 1024;
export const DEFAULT_DEADLINE_MS = 8_000;
/** Tekton's TimeoutHandler: past this the sender gets 503 and Tekton's text. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface AppDeps {
  /** The config in force (a getter, so that a reload can swap it). */
  config: () => CompiledConfig;
  secrets: SecretResolver;
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
  deadlineMs?: number;
  requestTimeoutMs?: number;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The listener port's request handler, on node:http directly: this is the hot path. It never
 * listens itself; `main` and the tests do.
 */
export function createApp(deps: AppDeps): RequestHandler {
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const requestTimeoutMs = deps.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;

  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && path === "/live") return void sendText(res, 200, "ok\n");
    if (req.method === "GET" && path === "/ready") {
      // Ready once the config is loaded (it is, or there would be no app) and the journal answers.
      void deps.journal
        .ping()
        .then((ok) =>
          sendJSON(res, ok ? 200 : 503, { status: ok ? "ready" : "journal unavailable" }),
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
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      // Tekton's TimeoutHandler answer; the connection is closed, so an unfinished body stops here.
      res.setHeader("Connection", "close");
      sendText(res, 503, "EventListener Timeout!\n");
      res.once("finish", () => req.destroy());
    }, requestTimeoutMs);
    handleEvent(req, res, listener, deps, maxBody, deadlineMs)
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
  deps: AppDeps,
  maxBody: number,
  deadlineMs: number,
): Promise<void> {
  const eventId = randomUUID();
  const started = performance.now();
  const count = (outcome: string, status: number, traces: readonly TriggerTrace[] = []): void =>
    deps.metrics?.eventAnswered(
      `${listener.namespace}/${listener.name}`,
      outcome,
      status,
      (performance.now() - started) / 1000,
      traces,
    );
  let raw: Buffer;
  try {
    raw = await readBody(req, maxBody);
  } catch (err) {
    if (res.headersSent) return; // The 503 timeout answered already.
    const e =
      err instanceof HooklineError
        ? err
        : new HooklineError("HL_INTAKE_READ_FAILED", "the request body could not be read");
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
  // The header pick is work of its own: skipped when the line would not be written.
  if (log.isLevelEnabled("info")) {
    log.info("event received", { bytes: raw.length, headers: pickLoggableHeaders(header) });
  }
  const { journal } = deps;
  const stored = (
    status: number,
    outcome: StoredEvent["outcome"],
    traces: StoredEvent["traces"],
  ): StoredEvent => toStoredEvent(event, listener, status, outcome, traces);

  try {
    // A delivery id whose event fired: answer as a duplicate before running anything.
    if (deliveryId !== undefined) {
      const owner = await journal.findDeliveryIdOwner(listenerKey(listener), deliveryId);
      if (owner?.blocksRedelivery === true) {
        const result = await journal.record(stored(200, "duplicate", []), []);
        const original = result.kind === "duplicate" ? result.originalEventId : owner.eventId;
        count("duplicate", 200);
        return void sendDuplicate(res, listener, original, deliveryId, log);
      }
    }
    const bodyJSON = memoJSON(raw);
    if (listener.payloadValidation) {
      const invalid = validatePayload(bodyJSON, raw);
      if (invalid !== undefined) {
        log.info("event refused: invalid payload", { reason: invalid });
        await journal.record(stored(400, "invalid", []), []);
        count("invalid", 400);
        const message = `Invalid event body format : ${invalid}`;
        return void sendError(res, listener, "HL_INTAKE_INVALID_PAYLOAD", message, eventId);
      }
    }
    const decision = await decideEvent(listener, prepareEvent(event, bodyJSON), {
      secrets: deps.secrets,
      log,
      deadlineMs,
    });
    const runs = [
      ...planRuns(decision, eventId, serviceAccountsOf(listener)),
      ...planCloudEvents(listener, decision, eventId, header),
    ];
    const unauthenticated = decision.unauthenticated && listener.reply === "honest";
    const status = unauthenticated ? 401 : 202;
    const outcome = eventOutcome(decision);
    const result = await journal.record(stored(status, outcome, decision.triggers), runs);
    if (result.kind === "duplicate") count("duplicate", 200, decision.triggers);
    else count(outcome, status, decision.triggers);
    if (result.kind === "duplicate") {
      return void sendDuplicate(res, listener, result.originalEventId, deliveryId, log);
    }
    if (runs.length > 0) deps.onRecorded?.();
    if (unauthenticated) {
      return void sendError(
        res,
        listener,
        "HL_LISTENER_UNAUTHENTICATED",
        "the event was not accepted",
        eventId,
      );
    }
    res.setHeader("x-hookline-event-id", eventId);
    if (isCloudEventRequest(header)) setCloudEventHeaders(res, listener, eventId);
    sendJSON(res, 202, accepted(listener, eventId, deliveryId, false));
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

/** Tekton's four fields, plus the provider's delivery id and whether this was a duplicate. */
function accepted(
  listener: CompiledListener,
  eventId: string,
  deliveryId: string | undefined,
  duplicate: boolean,
): Record<string, unknown> {
  const tekton = {
    eventListener: listener.name,
    namespace: listener.namespace,
    eventListenerUID: listener.uid,
    eventID: eventId,
  };
  if (listener.reply === "tekton") return tekton;
  return { ...tekton, deliveryId: deliveryId ?? null, duplicate };
}

/**
 * A CloudEvent request gets a CloudEvent answer (binary mode), as Tekton's sink gives: type
 * `dev.tekton.event.triggers.accepted.v1`, the same JSON as data.
 */
function setCloudEventHeaders(
  res: ServerResponse,
  listener: CompiledListener,
  eventId: string,
): void {
  res.setHeader("ce-specversion", "1.0");
  res.setHeader("ce-id", eventId);
  res.setHeader("ce-type", ACCEPTED);
  res.setHeader("ce-source", listener.name);
  res.setHeader("ce-subject", `${listener.namespace}.${listener.name} accepted ${eventId}`);
  res.setHeader("ce-time", new Date().toISOString());
}

/** 200 with the original event's id: this delivery was seen, and nothing more will run. */
function sendDuplicate(
  res: ServerResponse,
  listener: CompiledListener,
  originalEventId: string,
  deliveryId: string | undefined,
  log: Logger,
): void {
  log.info("duplicate delivery", { originalEventId });
  res.setHeader("x-hookline-event-id", originalEventId);
  // Under `hookline.dev/reply: tekton` the sender always gets Tekton's 202.
  sendJSON(
    res,
    listener.reply === "tekton" ? 202 : 200,
    accepted(listener, originalEventId, deliveryId, true),
  );
}

/**
 * `/listeners/<namespace>/<name>` names a listener; any other path goes to the default one (the
 * only one, or the one HOOKLINE_LISTENER names), as Tekton's sink takes every path.
 */
export function routeListener(
  listeners: readonly CompiledListener[],
  path: string,
  preferred: string | undefined,
): CompiledListener | undefined {
  const m = /^\/listeners\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (m !== null) return listeners.find((l) => l.namespace === m[1] && l.name === m[2]);
  if (preferred !== undefined && preferred !== "") {
    const [a, b] = preferred.includes("/") ? preferred.split("/", 2) : [undefined, preferred];
    return listeners.find((l) => l.name === b && (a === undefined || l.namespace === a));
  }
  return listeners.length === 1 ? listeners[0] : undefined;
}

/** Tekton's error shape, plus hookline's code and the event id. */
function sendError(
  res: ServerResponse,
  listener: CompiledListener,
  code: ErrorCode,
  message: string,
  eventId: string | undefined,
): void {
  const status = codes[code].status;
  const body: Record<string, string> = {
    eventListener: listener.name,
    namespace: listener.namespace,
    eventListenerUID: "",
    errorMessage: message,
    code,
  };
  if (eventId !== undefined) body["eventID"] = eventId;
  sendJSON(res, status, body);
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
