import type { IncomingEvent } from "../core/incoming-event.js";
import type { RuledOutBy } from "../core/ruled-out-by.js";
import { redactDeep, type SecretValues } from "../core/secret-values.js";
import { redactHeaders } from "../store/redact-headers.js";
import { redactURL } from "../store/redact-url.js";
import type { StoredEvent } from "../store/types.js";
import { internNotApplicable } from "./intern-not-applicable.js";
import type { NotApplicableTrigger } from "./types.js";

/** What of the listener decides how its events are stored (a CompiledListener has it all). */
export interface StoringListener {
  namespace: string;
  name: string;
  /** `hookline.dev/keep-query: "true"`: the query's values are kept (secret values still not). */
  keepQuery?: boolean;
  /** `hookline.dev/redact-headers`: more header names whose values are never stored. */
  redactHeaders?: ReadonlySet<string>;
}

/**
 * The journal's record of an event, the body byte for byte. Redacted: credential headers by name,
 * query values (unless the listener keeps them), and every known secret value (`values`) in any
 * header, the URL and the traces (interceptor messages, errors, params, extensions).
 */
export function toStoredEvent(
  event: IncomingEvent,
  listener: StoringListener,
  status: number,
  outcome: StoredEvent["outcome"],
  triggers: Pick<StoredEvent, "traces" | "notApplicable">,
  values?: SecretValues,
): StoredEvent {
  const { traces } = triggers;
  const notApplicable = internNotApplicable(triggers.notApplicable ?? []);
  const stored: StoredEvent = {
    id: event.eventId,
    listener: { namespace: listener.namespace, name: listener.name },
    provider: event.provider,
    deliveryId: event.deliveryId,
    receivedAt: event.receivedAt,
    method: event.method,
    url: redactURL(event.url, values, listener.keepQuery === true),
    headers: redactHeaders(event.header, values, listener.redactHeaders),
    body: { kind: "kept", bytes: event.rawBody },
    status,
    outcome,
    traces: values === undefined ? traces : redactDeep(traces, values),
  };
  // What ruled a trigger out quotes the event (a header's value): redacted as the traces are.
  if (notApplicable.length > 0)
    stored.notApplicable =
      values === undefined ? notApplicable : redactNotApplicable(notApplicable, values);
  return stored;
}

/** The last redaction of each list: good while the secret values are the same, at the same version. */
const redactions = new WeakMap<
  readonly NotApplicableTrigger[],
  { values: SecretValues; version: number; out: readonly NotApplicableTrigger[] }
>();

/**
 * redactDeep for the not-applicable list, which may have thousands of entries of one flat shape:
 * every string value is redacted (each distinct one looked at once); the keys are hookline's own
 * field names, not data, and are left as they are. Unchanged entries are kept, not copied, and an
 * unchanged list is given back itself. Memoized per list: the dispatch index hands every event
 * that rules out the same triggers the same array (ruled-out-parts.ts), redacted once while the
 * known values stay the same (a config's literal may be a secret value learned later).
 */
export function redactNotApplicable(
  list: readonly NotApplicableTrigger[],
  values: SecretValues,
): readonly NotApplicableTrigger[] {
  if (values.size === 0) return list;
  const memo = redactions.get(list);
  if (memo !== undefined && memo.values === values && memo.version === values.version)
    return memo.out;
  const out = redactEntries(list, values);
  redactions.set(list, { values, version: values.version, out });
  return out;
}

function redactEntries(
  list: readonly NotApplicableTrigger[],
  values: SecretValues,
): readonly NotApplicableTrigger[] {
  const seen = new Map<string, string>();
  const redact = (text: string): string => {
    let r = seen.get(text);
    if (r === undefined) seen.set(text, (r = values.redact(text)));
    return r;
  };
  let out: NotApplicableTrigger[] | undefined;
  list.forEach((n, i) => {
    const trigger = redact(n.trigger);
    const ruledOutBy = redactFlat(n.ruledOutBy, redact);
    const entry =
      trigger === n.trigger && ruledOutBy === n.ruledOutBy ? n : { trigger, ruledOutBy };
    if (entry !== n) out ??= list.slice(0, i);
    out?.push(entry);
  });
  return out === undefined ? list : Object.freeze(out);
}

/** A RuledOutBy with its strings (and lists of strings) redacted; itself when none changes. */
function redactFlat(r: RuledOutBy, redact: (text: string) => string): RuledOutBy {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(r)) {
    const nv =
      typeof v === "string"
        ? redact(v)
        : Array.isArray(v)
          ? redactList(v as readonly unknown[], redact)
          : v;
    if (nv !== v) (out ??= { ...r })[k] = nv;
  }
  return out === undefined ? r : (out as RuledOutBy);
}

function redactList(
  list: readonly unknown[],
  redact: (text: string) => string,
): readonly unknown[] {
  const out = list.map((v) => (typeof v === "string" ? redact(v) : v));
  return out.some((v, i) => v !== list[i]) ? out : list;
}
