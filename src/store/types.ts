import type { Provider } from "../core/incoming-event.js";
import type { TraceCarrier } from "../core/span-parent.js";
import type { NotApplicableTrigger, TriggerTrace } from "../listener/types.js";
import type { CreatedResource, PatchedTarget } from "../sinks/types.js";
import type { RenderedHttpRequest, RenderedPatch, RenderedResource } from "../templates/types.js";
import type {
  CancelledRun,
  CancelSelector,
  RunConcurrency,
  RunTarget,
} from "../concurrency/types.js";

/**
 * The event journal: everything an event decided, stored before the sender gets its answer, and
 * the deliveries that carry its resources to the sink afterwards. One interface; SQLite (embedded
 * default), PostgreSQL (several replicas) and memory (tests, bench) implement it and pass one
 * contract suite (test/unit/store/journal-contract.ts).
 */

/** How an event ended, as a whole. */
export type EventOutcome =
  /** At least one trigger fired. */
  | "fired"
  /** Nothing fired; at least one trigger was filtered (and none failed). */
  | "filtered"
  /** Every trigger rejected the signature or token (the 401). */
  | "rejected"
  /** Nothing fired and at least one trigger failed on our side (or timed out). */
  | "failed"
  /** The provider's delivery id was seen before on an event that fired: nothing was run. */
  | "duplicate"
  /** The body was refused before any trigger ran (400, 413). */
  | "invalid"
  /**
   * Nothing fired, and at least one trigger would have but its rate limit's bucket (the
   * trigger's or the listener's) was empty (202). Does not block a redelivery: it fired nothing.
   */
  | "rate_limited";

/**
 * The body as the journal keeps it: the bytes as received, or — for a request that no trigger
 * authenticated and that fired nothing — only its size, its hash and why nothing of the sender
 * was trusted (a metadata-only row: such an event cannot be replayed).
 */
export type StoredBody =
  | { kind: "kept"; bytes: Buffer }
  | {
      kind: "not-kept";
      size: number;
      /** Hex SHA-256 of the body as received. */
      sha256: string;
      /** The outcome's reason, e.g. `github-push: github: payload signature check failed`. */
      reason: string;
    };

/** One received event as the journal keeps it. */
export interface StoredEvent {
  id: string;
  listener: { namespace: string; name: string };
  provider: Provider;
  /** The provider's delivery id as received (kept for display even after a redelivery took it). */
  deliveryId: string | undefined;
  receivedAt: Date;
  method: string;
  url: string;
  /**
   * Request headers with secret-bearing ones redacted (see redact-headers.ts); for a body not
   * kept, only the allow-listed ones (src/log/loggable-headers.ts).
   */
  headers: Record<string, string[]>;
  body: StoredBody;
  /** The HTTP status the sender got. */
  status: number;
  outcome: EventOutcome;
  /** The triggers that ran, each with its trace (runs name theirs by index in this list). */
  traces: TriggerTrace[];
  /** The triggers the event was not for, without traces; absent when there were none. */
  notApplicable?: readonly NotApplicableTrigger[];
  /** For a duplicate: the event that holds the delivery id. */
  duplicateOf?: string;
  /** For a replay: the event it replays. */
  replayOf?: string;
  /**
   * The W3C trace context of the request's server span, when tracing was on: its deliveries'
   * spans are made in this trace, whenever and by whichever process they run.
   */
  traceContext?: TraceCarrier;
}

/**
 * What one delivery carries, and so which sink takes it: a union on `kind`, one sink per kind
 * (src/delivery/send-delivery.ts switches over it). A new kind of delivery (a cancellation of a
 * superseded run, say) is a new member here, a new case there, and a new case in the views.
 */
export type PlannedDelivery =
  | ResourceDelivery
  | PatchDelivery
  | HttpRequestDelivery
  | CloudEventDelivery
  | CancelDelivery
  | StartDelivery;

/** A rendered resource for the resource sink (local directory or Kubernetes API). */
export interface ResourceDelivery {
  kind: "resource";
  seq: number;
  /** `hookline.dev/delivery-key`: the same on every attempt, so a retry finds an earlier success. */
  deliveryKey: string;
  resource: RenderedResource;
}

/** A `hookline.dev/v1alpha1` `Patch` entry: an existing object patched by the resource sink. */
export interface PatchDelivery {
  kind: "patch";
  seq: number;
  /** `<eventId>.<traceIndex>.<seq>`, as a resource's (the target is not labelled with it). */
  deliveryKey: string;
  patch: RenderedPatch;
}

/** A `hookline.dev/v1alpha1` `HTTPRequest` entry: an endpoint called by the HTTP sink. */
export interface HttpRequestDelivery {
  kind: "http";
  seq: number;
  /** `<eventId>.<traceIndex>.<seq>`, sent as the `Idempotency-Key` header on every attempt. */
  deliveryKey: string;
  request: RenderedHttpRequest;
}

/**
 * Cancels a concurrency group's older runs (`hookline.dev/concurrency: cancel-in-progress`,
 * `cancel-in-progress-gracefully`, `queue-latest`): planned just before the resource of the run
 * that supersedes them, sent by the resource sink (`Sink.cancel`). Idempotent: a run already
 * cancelled or finished is left alone, so a retry cancels nothing twice.
 */
export interface CancelDelivery {
  kind: "cancel";
  seq: number;
  /** The grouped resource's delivery key + `.cancel`. */
  deliveryKey: string;
  selector: CancelSelector;
}

/**
 * Starts one queued run of a group (clears its Pending `spec.status`): planned by the group
 * scheduler when a slot of the group frees, in a run of origin `group`, sent by the resource
 * sink (`Sink.start`). Idempotent: a run that already started is left alone.
 */
export interface StartDelivery {
  kind: "start";
  seq: number;
  /** `start.<namespace>.<name>`: one start per queued run, whichever replica decides it. */
  deliveryKey: string;
  target: RunTarget;
}

/** What the endpoint answered to the latest attempt that got an answer. */
export interface HttpAnswerRecord {
  status: number;
  /** ISO time of the answer. */
  at: string;
  /** The answer body's first bytes as text (HTTP_ANSWER_KEPT_BYTES), secret values redacted. */
  body: string;
  /** The body was longer than what is kept. */
  truncated: boolean;
}

/** One of Tekton's lifecycle CloudEvents, POSTed (binary mode) to the listener's cloudEventURI. */
export interface CloudEventDelivery {
  kind: "cloudevent";
  seq: number;
  /** Unique per event and position (`<eventId>.ce.<seq>`), as a resource's delivery key is. */
  deliveryKey: string;
  uri: string;
  event: CloudEventMessage;
}

/** The attributes and data of a CloudEvent hookline sends (its data is JSON). */
export interface CloudEventMessage {
  id: string;
  type: string;
  source: string;
  subject: string;
  data: unknown;
}

/** Who planned a run: a trigger that fired (its place among the traces), or the listener itself. */
export type RunOrigin =
  | { kind: "trigger"; traceIndex: number; trigger: string }
  /** The EventListener's own deliveries: the lifecycle CloudEvents to its cloudEventURI. */
  | { kind: "listener" }
  /** The group scheduler's: a start of a queued run of the group (RunConcurrency.groupId). */
  | { kind: "group"; groupId: string; group: string };

/** Deliveries that go in order, each after the one before: one fired trigger's, or the listener's. */
export interface PlannedRun {
  id: string;
  eventId: string;
  origin: RunOrigin;
  namespace: string;
  serviceAccountName: string | undefined;
  deliveries: PlannedDelivery[];
  /** The run's concurrency group, when its resource template declares one (issue 12). */
  concurrency?: RunConcurrency;
}

/**
 * `superseded`: a newer event of the run's group was journaled while this run still waited to be
 * delivered (cancel-in-progress, queue-latest); it is never delivered (RunRecord.supersededBy).
 */
export type RunState = "pending" | "delivered" | "dead" | "superseded";
export type DeliveryState = "pending" | "delivered" | "dead" | "not_attempted";

export interface DeliveryAttempt {
  at: string;
  /** Absent for the attempt that succeeded. */
  error?: string;
  retryable?: boolean;
}

/** Where a delivery stands. */
export interface DeliveryProgress {
  state: DeliveryState;
  attempts: DeliveryAttempt[];
}

export type DeliveryRecord =
  | ResourceDeliveryRecord
  | PatchDeliveryRecord
  | HttpRequestDeliveryRecord
  | CloudEventDeliveryRecord
  | CancelDeliveryRecord
  | StartDeliveryRecord;
export type ResourceDeliveryRecord = ResourceDelivery &
  DeliveryProgress & {
    /** Where the sink created it, once it did. */
    created?: CreatedResource;
  };
export type PatchDeliveryRecord = PatchDelivery &
  DeliveryProgress & {
    /** Where the sink applied it, once it did. */
    patched?: PatchedTarget;
  };
export type HttpRequestDeliveryRecord = HttpRequestDelivery &
  DeliveryProgress & {
    /** The latest answer (a retried 503's, or the one that succeeded). */
    answer?: HttpAnswerRecord;
  };
export type CloudEventDeliveryRecord = CloudEventDelivery & DeliveryProgress;
export type CancelDeliveryRecord = CancelDelivery &
  DeliveryProgress & {
    /** The runs it cancelled, once it was sent (empty: nothing older was left to cancel). */
    cancelled?: CancelledRun[];
  };
export type StartDeliveryRecord = StartDelivery &
  DeliveryProgress & {
    /** Where the sink started it, once it did. */
    started?: CancelledRun;
  };

/** A run as the worker sees and updates it. */
export interface RunRecord {
  id: string;
  eventId: string;
  origin: RunOrigin;
  namespace: string;
  serviceAccountName: string | undefined;
  state: RunState;
  /** Attempts of the run so far (each one tries the resources not yet delivered, in order). */
  attempts: number;
  firstAttemptAt: Date | undefined;
  nextAttemptAt: Date;
  lastError: string | undefined;
  deliveries: DeliveryRecord[];
  /** The event's trace context (StoredEvent.traceContext), stored with the run. */
  traceContext?: TraceCarrier;
  /** As planned (PlannedRun.concurrency). */
  concurrency?: RunConcurrency;
  /** For a `superseded` run: the event whose run superseded it. */
  supersededBy?: string;
}

/**
 * A run as the worker that claimed it holds it. `claimToken` is the claim's fencing token: the
 * run's fence moves on at every claim and every save, and `saveRun` writes only while the fence
 * still equals the token. A worker whose lease lapsed and whose run another worker claimed since
 * (or that saves twice under one claim) is refused, instead of writing over the newer result.
 */
export interface ClaimedRun extends RunRecord {
  readonly claimToken: number;
}

export type SaveResult =
  | { kind: "saved" }
  /** The run was claimed again since this claim (its lease lapsed), or already saved under it. */
  | { kind: "claim-lost" };

export type RecordResult =
  /** `superseded`: the ids of older runs of the same groups this record superseded (issue 12). */
  | { kind: "stored"; superseded?: string[] }
  /** The delivery id belongs to an earlier event that fired: nothing of this one runs. */
  | { kind: "duplicate"; originalEventId: string };

/** What Journal.recordGroupRun did. */
export type GroupRunRecordResult = "recorded" | "exists" | "no-event";

/** What an earlier event with the same delivery id did. */
export interface DeliveryIdOwner {
  eventId: string;
  /** It fired a trigger and not all of its runs went to dead letter: a new copy must not run. */
  blocksRedelivery: boolean;
}

export interface EventFilter {
  listener?: { namespace: string; name: string };
  trigger?: string;
  outcome?: EventOutcome;
  deliveryId?: string;
  /**
   * Events with a run of this concurrency group: its readable key as rendered
   * (RunConcurrency.group) or its groupId (`<namespace>/<hash>`).
   */
  group?: string;
  since?: Date;
  until?: Date;
  limit: number;
  /** From a previous page's `next`. */
  cursor?: string;
}

export interface EventPage {
  events: EventSummary[];
  next: string | undefined;
}

export interface EventSummary {
  id: string;
  listener: { namespace: string; name: string };
  provider: Provider;
  /** What the sender said the event is (X-GitHub-Event and the like; src/core/event-type.ts). */
  eventType: string | undefined;
  deliveryId: string | undefined;
  receivedAt: Date;
  status: number;
  outcome: EventOutcome;
  /** Per trigger that ran: name and outcome kind. */
  triggers: { trigger: string; outcome: TriggerTrace["outcome"]["kind"] }[];
  /** How many triggers the event was not for (they are not in `triggers`). */
  notApplicable: number;
  duplicateOf?: string;
  replayOf?: string;
}

/** Events over time: `buckets` equal spans from `since`, each counting events by outcome. */
export interface EventCountQuery {
  since: Date;
  bucketMs: number;
  buckets: number;
  listener?: { namespace: string; name: string };
}

/** One span of an EventCountQuery: how many events of each outcome were received in it. */
export interface EventCountBucket {
  start: Date;
  counts: Record<EventOutcome, number>;
}

/** Whether the journal can take events; `reason` says why not, with no secret in it. */
export type JournalHealth = { ready: true } | { ready: false; reason: string };

/**
 * The journal's size as stored: every event's body, headers, URL and traces, and every run's
 * deliveries (an estimate of the bytes on disk, without indexes and free pages).
 */
export interface StoredBytes {
  total: number;
  /** The bodies of filtered events kept whole: the share the filtered budget bounds. */
  filteredBodies: number;
}

export interface Journal {
  readonly kind: "sqlite" | "postgres" | "memory";
  /** The event that holds this delivery id on this listener, if any. */
  findDeliveryIdOwner(listener: string, deliveryId: string): Promise<DeliveryIdOwner | undefined>;
  /**
   * Stores an event, its traces and its planned runs in one transaction. With a delivery id, the
   * dedup rule is applied inside that transaction: an earlier event that blocks redelivery makes
   * this one a duplicate (stored as such, with no runs); an earlier one that does not gives up the
   * delivery id to this one.
   */
  record(event: StoredEvent, runs: readonly PlannedRun[]): Promise<RecordResult>;
  /**
   * Records a run the group scheduler planned (origin `group`: one StartDelivery of a queued
   * run), on the event of the run it starts (its page shows the start). Recording a run id that
   * is already journaled is a no-op (`exists`), so a start is never recorded twice, whichever
   * replica decides it; `no-event`: that event is not in the journal (pruned, or the run was not
   * made by hookline), nothing recorded.
   */
  recordGroupRun(run: PlannedRun, now: Date): Promise<GroupRunRecordResult>;
  /** How many runs of origin `group` for this groupId are still pending (starts not yet delivered). */
  pendingStartsOfGroup(groupId: string): Promise<number>;
  /**
   * Claims up to `limit` pending runs that are due, for `leaseMs`; another worker skips them until
   * the lease lapses. Each claim gets a new fencing token (see ClaimedRun).
   */
  claimDueRuns(now: Date, limit: number, leaseMs: number): Promise<ClaimedRun[]>;
  /**
   * Saves a claimed run's new state and releases the claim, if the claim is still the run's
   * latest (a lapsed lease that nobody took over still saves); else writes nothing.
   */
  saveRun(run: ClaimedRun): Promise<SaveResult>;
  /**
   * Claims the pending, due runs of one event only (for `hookline replay`, which delivers what it
   * replayed and must leave every other event's runs to the workers that own them).
   */
  claimDueRunsOfEvent(eventId: string, now: Date, leaseMs: number): Promise<ClaimedRun[]>;
  getEvent(id: string): Promise<StoredEvent | undefined>;
  getRuns(eventId: string): Promise<RunRecord[]>;
  listEvents(filter: EventFilter): Promise<EventPage>;
  /**
   * Events received from `since` for `buckets × bucketMs`, counted by outcome in each span (the
   * list page's chart); every span is listed, empty ones too.
   */
  countEvents(query: EventCountQuery): Promise<EventCountBucket[]>;
  /** Pending runs, and when the oldest of them was due. */
  pendingStats(now: Date): Promise<{ pending: number; oldestDueAt: Date | undefined }>;
  /** Deletes events received before `before` whose runs are all finished; returns how many. */
  prune(before: Date): Promise<number>;
  /** How many bytes the journal holds, and how many of them are filtered events' bodies. */
  storedBytes(): Promise<StoredBytes>;
  /**
   * Deletes the oldest filtered events that kept their body (a sender that authenticated, nothing
   * fired) and have no pending run, until at least `bytes` of bodies are freed; returns how many.
   */
  evictFiltered(bytes: number): Promise<number>;
  /** Can it be reached (a read)? */
  ping(): Promise<boolean>;
  /**
   * Can it take events (for /ready)? Not while the last write (a record, or the probe write
   * health() makes when nothing was written for a while) failed for a reason of the store's own
   * (disk full, read-only, locked, unreachable); ready again once a write succeeds.
   */
  health(): Promise<JournalHealth>;
  close(): Promise<void>;
}

export { listenerKey } from "../core/listener-key.js";
