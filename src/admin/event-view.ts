import { REDACTED } from "../store/redact-headers.js";
import type { RunRecord, StoredEvent } from "../store/types.js";

/** An event as the API and the page show it: the body as text when it is text. */
export interface EventView {
  id: string;
  listener: { namespace: string; name: string };
  provider: string;
  deliveryId: string | null;
  receivedAt: string;
  method: string;
  url: string;
  status: number;
  outcome: string;
  duplicateOf: string | null;
  replayOf: string | null;
  headers: Record<string, string[]>;
  body: { encoding: "utf8" | "base64"; data: string; bytes: number };
  triggers: TriggerView[];
}

export interface TriggerView {
  trigger: string;
  namespace: string;
  triggerId: string;
  group: string | null;
  via: string;
  outcome: StoredEvent["traces"][number]["outcome"];
  durationMs: number;
  interceptors: StoredEvent["traces"][number]["interceptors"];
  extensions: Record<string, unknown>;
  params: StoredEvent["traces"][number]["params"];
  /** The delivery of this trigger's resources, when it fired. */
  delivery: DeliveryView | null;
}

export interface DeliveryView {
  state: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  resources: {
    kind: string;
    namespace: string;
    name: string | null;
    state: string;
    deliveryKey: string;
    attempts: { at: string; error?: string; retryable?: boolean }[];
    body: Record<string, unknown>;
  }[];
}

export function toEventView(event: StoredEvent, runs: readonly RunRecord[]): EventView {
  const text = event.body.toString("utf8");
  const isText = Buffer.from(text, "utf8").equals(event.body);
  return {
    id: event.id,
    listener: event.listener,
    provider: event.provider,
    deliveryId: event.deliveryId ?? null,
    receivedAt: event.receivedAt.toISOString(),
    method: event.method,
    url: event.url,
    status: event.status,
    outcome: event.outcome,
    duplicateOf: event.duplicateOf ?? null,
    replayOf: event.replayOf ?? null,
    headers: redactForDisplay(event.headers),
    body: isText
      ? { encoding: "utf8", data: text, bytes: event.body.length }
      : { encoding: "base64", data: event.body.toString("base64"), bytes: event.body.length },
    triggers: event.traces.map((t, i): TriggerView => {
      const run = runs.find((r) => r.traceIndex === i);
      return {
        trigger: t.trigger,
        namespace: t.namespace,
        triggerId: t.triggerId,
        group: t.group ?? null,
        via: t.via,
        outcome: t.outcome,
        durationMs: t.durationMs,
        interceptors: t.interceptors,
        extensions: t.extensions,
        params: t.params,
        delivery:
          run === undefined
            ? null
            : {
                state: run.state,
                attempts: run.attempts,
                nextAttemptAt: run.state === "pending" ? run.nextAttemptAt.toISOString() : null,
                lastError: run.lastError ?? null,
                resources: run.deliveries.map((d) => ({
                  kind: d.resource.kind,
                  namespace: d.resource.namespace,
                  name: d.created?.name ?? d.resource.name ?? null,
                  state: d.state,
                  deliveryKey: d.deliveryKey,
                  attempts: d.attempts,
                  body: d.resource.body,
                })),
              },
      };
    }),
  };
}

/**
 * The journal keeps signature headers (they are not secrets, and a replay verifies them again),
 * but no answer or page shows one: they are redacted here, with what the journal redacted already.
 */
function redactForDisplay(headers: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers)) {
    out[name] = /signature|token|secret|authorization|cookie|api-?key/i.test(name)
      ? values.map(() => REDACTED)
      : values;
  }
  return out;
}
