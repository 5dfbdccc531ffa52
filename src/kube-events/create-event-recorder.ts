import { hostname } from "node:os";
import type { Logger } from "../core/logger.js";
import type { CoreV1Event, KubeEventApi, KubeEventNote, KubeEventRecorder } from "./types.js";

/** What `source.component` and `reportingComponent` say (kubectl's "From" column). */
export const EVENT_COMPONENT = "hookline";

export interface KubeEventRecorderOptions {
  api: KubeEventApi;
  log: Logger;
  /**
   * Notes alike within this long of the last one are one Event, counted (default 10 min, as
   * client-go's aggregation window); after it, a new Event.
   */
  windowMs?: number;
  /** Events remembered for counting at most (default 1024); the least recently noted go first. */
  maxEntries?: number;
  /** API calls at once at most (default 2). */
  maxInFlight?: number;
  /** One Event is patched at most this often (default 1 s): a burst's notes fold into a patch. */
  minIntervalMs?: number;
  /** API calls in a burst (default 25)… */
  burst?: number;
  /** …then this many a second (default 1). */
  perSecond?: number;
  now?: () => Date;
}

interface Entry {
  key: string;
  note: KubeEventNote;
  /** The Event object's name; a new one when the API server no longer has the old one. */
  name: string;
  first: Date;
  last: Date;
  /** Notes counted into this Event. */
  count: number;
  /** The count the API server has. */
  sent: number;
  created: boolean;
  sending: boolean;
  /** When its last API call started (Date.now()). */
  sentAt: number;
}

/**
 * Posts notes as core/v1 Events the way the API server expects of a well-behaved reporter: the
 * same object, type, reason and message within the window is one Event whose `count` and
 * `lastTimestamp` are patched, not a new object per note; at most `maxEntries` Events are
 * remembered and API calls go through a token bucket. `record` only updates memory and starts a
 * send in the background: the request path never waits on the API server. A note recorded while
 * its Event is being sent is folded into the next patch, so a burst of 100 is one create and a
 * patch or two. A failed call is logged at debug, once until a call succeeds again; the note is
 * not retried (the next note alike carries the count on).
 */
export function createKubeEventRecorder(options: KubeEventRecorderOptions): KubeEventRecorder {
  const { api, log } = options;
  const windowMs = options.windowMs ?? 600_000;
  const maxEntries = Math.max(1, options.maxEntries ?? 1024);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 2);
  const burst = Math.max(1, options.burst ?? 25);
  const perSecond = options.perSecond ?? 1;
  const minIntervalMs = options.minIntervalMs ?? 1000;
  const now = options.now ?? (() => new Date());
  const instance = hostname();

  const entries = new Map<string, Entry>();
  /** Entries whose count the API server does not have yet. */
  const dirty = new Set<Entry>();
  const inFlight = new Set<Promise<void>>();
  let tokens = burst;
  let refilledAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let failing = false;
  let closed = false;
  let sequence = 0;
  let idle: (() => void)[] = [];

  const refill = (): void => {
    const at = Date.now();
    tokens = Math.min(burst, tokens + ((at - refilledAt) / 1000) * perSecond);
    refilledAt = at;
  };

  const eventName = (objectName: string): string => {
    // client-go's form: the object's name, a dot, a hex stamp (unique per process and moment).
    const stamp = (Date.now() * 1000 + (sequence++ % 1000)).toString(16);
    return `${objectName.slice(0, 200)}.${stamp}`;
  };

  const settleIdle = (): void => {
    if (dirty.size > 0 || inFlight.size > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };

  /** Sends what is due; sets the timer for what waits on the bucket or an Event's interval. */
  const pump = (): void => {
    if (closed) return;
    refill();
    const at = Date.now();
    let wakeAt = Infinity;
    for (const entry of dirty) {
      if (inFlight.size >= maxInFlight) break;
      if (entry.sending) continue;
      const readyAt = entry.created ? entry.sentAt + minIntervalMs : at;
      if (readyAt > at) {
        wakeAt = Math.min(wakeAt, readyAt);
        continue;
      }
      if (tokens < 1) {
        if (perSecond > 0) wakeAt = Math.min(wakeAt, at + ((1 - tokens) / perSecond) * 1000);
        break;
      }
      tokens--;
      dirty.delete(entry);
      const sending: Promise<void> = send(entry).finally(() => {
        inFlight.delete(sending);
        pump();
        settleIdle();
      });
      inFlight.add(sending);
    }
    if (wakeAt === Infinity || wakeAt >= timerAt) return;
    clearTimeout(timer);
    timerAt = wakeAt;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerAt = Infinity;
        pump();
      },
      Math.max(1, Math.ceil(wakeAt - at)),
    );
    timer.unref();
  };

  const send = async (entry: Entry): Promise<void> => {
    entry.sending = true;
    entry.sentAt = Date.now();
    const count = entry.count;
    const lastTimestamp = stamp(entry.last);
    let ok = false;
    try {
      if (!entry.created) {
        await api.create(toEvent(entry, count, lastTimestamp, instance));
        entry.created = true;
      } else if (
        (await api.patch(entry.note.object.namespace, entry.name, { count, lastTimestamp })) ===
        "gone"
      ) {
        // Deleted since (the API server's event TTL): the count goes on in a new Event.
        entry.created = false;
        entry.name = eventName(entry.note.object.name);
        entry.sent = 0;
        ok = true;
        return;
      }
      entry.sent = count;
      ok = true;
      failing = false;
    } catch (err) {
      if (!failing) {
        failing = true;
        log.debug("could not post a Kubernetes Event (logged once until one succeeds)", {
          reason: entry.note.reason,
          namespace: entry.note.object.namespace,
          error: (err as Error).message,
        });
      }
    } finally {
      entry.sending = false;
      if (ok && entry.count > entry.sent && entries.get(entry.key) === entry) dirty.add(entry);
    }
  };

  return {
    record(note) {
      if (closed) return;
      const key = JSON.stringify([
        note.object.namespace,
        note.object.apiVersion,
        note.object.kind,
        note.object.name,
        note.type,
        note.reason,
        note.message,
      ]);
      const at = now();
      let entry = entries.get(key);
      if (entry !== undefined && at.getTime() - entry.last.getTime() > windowMs) {
        entries.delete(key);
        dirty.delete(entry);
        entry = undefined;
      }
      if (entry === undefined) {
        entry = {
          key,
          note,
          name: eventName(note.object.name),
          first: at,
          last: at,
          count: 0,
          sent: 0,
          created: false,
          sending: false,
          sentAt: 0,
        };
        entries.set(key, entry);
        if (entries.size > maxEntries) {
          const oldest = entries.values().next().value as Entry;
          entries.delete(oldest.key);
          dirty.delete(oldest);
        }
      } else {
        // Most recently noted last: the map's first entry is the one to forget.
        entries.delete(key);
        entries.set(key, entry);
      }
      entry.count++;
      entry.last = at;
      dirty.add(entry);
      pump();
    },
    flush() {
      pump();
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await Promise.all(inFlight);
      dirty.clear();
      settleIdle();
    },
  };
}

function toEvent(
  entry: Entry,
  count: number,
  lastTimestamp: string,
  instance: string,
): CoreV1Event {
  const { note } = entry;
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: entry.name, namespace: note.object.namespace },
    involvedObject: note.object,
    type: note.type,
    reason: note.reason,
    // The API server refuses longer messages in events.k8s.io; kept within it here too.
    message: note.message.length > 1024 ? `${note.message.slice(0, 1021)}...` : note.message,
    source: { component: EVENT_COMPONENT, host: instance },
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: instance,
    firstTimestamp: stamp(entry.first),
    lastTimestamp,
    count,
  };
}

/** RFC 3339 to the second, as the API server stores Event times. */
function stamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, "Z");
}
