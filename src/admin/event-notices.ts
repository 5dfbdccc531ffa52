import type { Request, Response } from "express";
import type { EventOutcome, Journal, StoredEvent } from "../store/types.js";
import { sendAdminError } from "./send-admin-error.js";
import { isCrossSite } from "./refuse-cross-site.js";

/** What a stream says of a new event: enough to decide to refresh, nothing the sender chose. */
export interface EventNotice {
  id: string;
  listener: { namespace: string; name: string };
  outcome: EventOutcome;
  receivedAt: string;
}

/**
 * New-event notices for the page's live refresh, sent as server-sent events
 * (`GET /api/v1/event-stream`). The journal is wrapped so that every event recorded in this
 * process is announced once its commit is done; a replica announces its own events only.
 * At most `maxClients` streams are open at once (past that, 503 `HL_ADMIN_TOO_MANY_STREAMS`, and
 * the page falls back to reloading): each holds a connection and a little memory for as long as
 * a tab stays open.
 */
export interface EventNotices {
  /** The journal, announcing each event it records. */
  journal: Journal;
  /** The stream's route handler. */
  stream: (req: Request, res: Response) => void;
  /** How many streams are open. */
  readonly clients: number;
  /** Ends every stream (the admin port is closing). */
  close(): void;
}

export interface EventNoticesOptions {
  maxClients?: number;
  /** A comment line this often keeps proxies from closing an idle stream. Default 25 s. */
  heartbeatMs?: number;
}

export const DEFAULT_MAX_STREAMS = 32;

export function createEventNotices(
  journal: Journal,
  options: EventNoticesOptions = {},
): EventNotices {
  const maxClients = options.maxClients ?? DEFAULT_MAX_STREAMS;
  const heartbeatMs = options.heartbeatMs ?? 25_000;
  const clients = new Set<Response>();
  let heartbeat: NodeJS.Timeout | undefined;

  const send = (text: string): void => {
    for (const res of clients) res.write(text);
  };
  const announce = (event: StoredEvent): void => {
    if (clients.size === 0) return;
    const notice: EventNotice = {
      id: event.id,
      listener: event.listener,
      outcome: event.outcome,
      receivedAt: event.receivedAt.toISOString(),
    };
    send(`event: event\ndata: ${JSON.stringify(notice)}\n\n`);
  };
  const drop = (res: Response): void => {
    clients.delete(res);
    if (clients.size === 0 && heartbeat !== undefined) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };

  const announcing: Journal = {
    ...journal,
    async record(event, runs) {
      const result = await journal.record(event, runs);
      announce(result.kind === "duplicate" ? { ...event, outcome: "duplicate" } : event);
      return result;
    },
  };

  return {
    journal: announcing,
    get clients() {
      return clients.size;
    },
    stream(req, res) {
      // A GET, but one that holds a slot: another site's page must not take them all.
      if (isCrossSite(req))
        return sendAdminError(
          res,
          "HL_ADMIN_CROSS_SITE",
          "the event stream is for the admin port's own page",
        );
      if (clients.size >= maxClients)
        return sendAdminError(
          res,
          "HL_ADMIN_TOO_MANY_STREAMS",
          `${maxClients} event streams are open already; close a tab of the page, or reload it later`,
        );
      res.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
      });
      res.write("retry: 5000\n\n");
      clients.add(res);
      heartbeat ??= setInterval(() => send(": keep-alive\n\n"), heartbeatMs).unref();
      req.on("close", () => drop(res));
    },
    close() {
      for (const res of [...clients]) {
        res.end();
        drop(res);
      }
    },
  };
}
