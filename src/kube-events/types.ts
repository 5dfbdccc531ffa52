/**
 * The reasons hookline gives its Kubernetes Events (README "Kubernetes Events"): CamelCase, as
 * the API server's own, stable once documented.
 */
export type KubeEventReason =
  /** A trigger's signature or token check (an interceptor) refused the event. */
  | "EventRejected"
  /** A trigger failed on hookline's side (config, interceptor error, bindings, template, timeout). */
  | "TriggerFailed"
  /** A run's delivery failed for good: its resources were not all created. */
  | "DeliveryDeadLettered"
  /** On the created resource: hookline created it. */
  | "Created";

/** The object an Event is about (core/v1 ObjectReference, the fields hookline knows). */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
}

/**
 * One thing to tell `kubectl describe`. `message` is built by hookline from names and codes only
 * (trigger, interceptor, status code, stage, event id): never payload data, a header value or a
 * secret. Notes with the same object, type, reason and message are one Event, counted.
 */
export interface KubeEventNote {
  object: InvolvedObject;
  type: "Normal" | "Warning";
  reason: KubeEventReason;
  message: string;
}

/** Posts notes as Events, aggregated and rate-limited; never blocks, never throws. */
export interface KubeEventRecorder {
  record(note: KubeEventNote): void;
  /** Resolves once nothing is pending or being sent (within the rate); for tests. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The Events API as the recorder uses it (core/v1, through the Kubernetes client). */
export interface KubeEventApi {
  create(event: CoreV1Event): Promise<void>;
  /** A merge patch of an Event; "gone" when it no longer exists (its TTL passed). */
  patch(
    namespace: string,
    name: string,
    body: Pick<CoreV1Event, "count" | "lastTimestamp">,
  ): Promise<"patched" | "gone">;
}

/** A core/v1 Event as hookline writes it. */
export interface CoreV1Event {
  apiVersion: "v1";
  kind: "Event";
  metadata: { name: string; namespace: string };
  involvedObject: InvolvedObject;
  type: "Normal" | "Warning";
  reason: KubeEventReason;
  message: string;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}
