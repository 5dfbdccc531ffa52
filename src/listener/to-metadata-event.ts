import { createHash } from "node:crypto";
import type { IncomingEvent } from "../core/incoming-event.js";
import { redactDeep, type SecretValues } from "../core/secret-values.js";
import { pickLoggableHeaderLists } from "../log/loggable-headers.js";
import { redactHeaders } from "../store/redact-headers.js";
import type { StoredEvent } from "../store/types.js";
import { redactNotApplicable, type StoringListener } from "./to-stored-event.js";
import { describeRuledOut } from "../core/ruled-out-by.js";
import { describeTimedOut } from "./describe-timed-out.js";
import type { EventAnswer, NotApplicableTrigger, TriggerTrace } from "./types.js";

/** Interceptor messages and reasons are cut here: a row's size must not follow the sender's. */
const MAX_TEXT = 512;

/**
 * The journal's record of a request that no trigger authenticated and that fired nothing:
 * metadata only — time, listener, path without query, allow-listed headers, size and SHA-256 of
 * the body, the outcome and its reason, each trigger's outcome without extensions or params —
 * never the body. Such an event cannot be replayed (HL_EVENT_BODY_NOT_KEPT).
 */
export function toMetadataEvent(
  event: IncomingEvent,
  listener: StoringListener,
  answer: EventAnswer,
  outcome: StoredEvent["outcome"],
  triggers: { traces: readonly TriggerTrace[]; notApplicable?: readonly NotApplicableTrigger[] },
  values?: SecretValues,
): StoredEvent {
  const { traces, notApplicable = [] } = triggers;
  const slimmed = traces.map(slim);
  const ruledOut = slimRuledOutList(notApplicable);
  const row: StoredEvent = {
    id: event.eventId,
    listener: { namespace: listener.namespace, name: listener.name },
    provider: event.provider,
    deliveryId: event.deliveryId,
    receivedAt: event.receivedAt,
    method: event.method,
    url: event.url.split("?")[0] ?? "/",
    // Allow-listed headers only, and even those without a known secret value.
    headers: redactHeaders(pickLoggableHeaderLists(event.header), values, listener.redactHeaders),
    body: {
      kind: "not-kept",
      size: event.rawBody.length,
      sha256: createHash("sha256").update(event.rawBody).digest("hex"),
      reason: cut(
        values === undefined
          ? reasonOf(answer, outcome, traces, notApplicable)
          : values.redact(reasonOf(answer, outcome, traces, notApplicable)),
      ),
    },
    status: answer.status,
    outcome,
    traces: values === undefined ? slimmed : redactDeep(slimmed, values),
  };
  if (ruledOut.length > 0)
    row.notApplicable = values === undefined ? ruledOut : redactNotApplicable(ruledOut, values);
  return row;
}

function reasonOf(
  answer: EventAnswer,
  outcome: StoredEvent["outcome"],
  traces: readonly TriggerTrace[],
  notApplicable: readonly NotApplicableTrigger[],
): string {
  const first =
    traces.find((t) => t.outcome.kind === "rejected") ??
    traces.find((t) => t.outcome.kind === "failed" || t.outcome.kind === "timedOut") ??
    traces.find((t) => t.outcome.kind === "filtered") ??
    traces.find((t) => t.outcome.kind === "not_applicable");
  if (first !== undefined) {
    const o = first.outcome;
    switch (o.kind) {
      case "rejected":
      case "filtered":
        return `${first.trigger}: ${o.interceptor}: ${o.message}`;
      case "not_applicable":
        return `${first.trigger}: did not apply: ${o.message}`;
      case "failed":
        return `${first.trigger}: ${o.stage}: ${o.message}`;
      case "timedOut":
        return `${first.trigger}: ${describeTimedOut(o)}`;
      case "rateLimited":
      case "fired":
        return outcome;
    }
  }
  const ruledOut = notApplicable[0];
  if (ruledOut !== undefined && traces.length === 0)
    return `${ruledOut.trigger}: did not apply: ${describeRuledOut(ruledOut.ruledOutBy)}`;
  const message = answer.body["errorMessage"];
  return typeof message === "string" ? message : outcome;
}

function slim(t: TriggerTrace): TriggerTrace {
  const o = t.outcome;
  return {
    ...t,
    interceptors: t.interceptors.map((i) =>
      i.message === undefined ? i : { ...i, message: cut(i.message) },
    ),
    extensions: {},
    params: [],
    outcome: "message" in o ? { ...o, message: cut(o.message) } : o,
  };
}

const slimmed = new WeakMap<readonly NotApplicableTrigger[], readonly NotApplicableTrigger[]>();

/** The list with what was seen cut; itself when nothing is cut; once per (shared) list. */
function slimRuledOutList(list: readonly NotApplicableTrigger[]): readonly NotApplicableTrigger[] {
  let out = slimmed.get(list);
  if (out === undefined) {
    out = list.some((t) => t.ruledOutBy.seen.length > MAX_TEXT)
      ? Object.freeze(list.map(slimRuledOut))
      : list;
    slimmed.set(list, out);
  }
  return out;
}

/** What was seen comes from the sender: cut as the messages are. */
function slimRuledOut(t: NotApplicableTrigger): NotApplicableTrigger {
  return { ...t, ruledOutBy: { ...t.ruledOutBy, seen: cut(t.ruledOutBy.seen) } };
}

function cut(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}…`;
}
