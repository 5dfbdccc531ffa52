import type { RenderedResource } from "../templates/types.js";
import { parseGroupOriginColumn } from "./group-origin-column.js";
import type {
  CloudEventMessage,
  DeliveryRecord,
  ResourceDeliveryRecord,
  RunOrigin,
} from "./types.js";

/**
 * How journals written before deliveries had kinds marked a run of the listener's own CloudEvents:
 * a pseudo-trigger at trace index -1 whose "resources" were `hookline.dev/v1 CloudEvent`s. Read
 * here only, so that a journal from then still opens and shows what it holds.
 */
const LEGACY_LISTENER_TRIGGER = "(cloudEventURI)";
const LEGACY_CLOUDEVENT = { apiVersion: "hookline.dev/v1", kind: "CloudEvent" } as const;

/** A run's origin from its stored columns (`origin` is absent from rows written before it existed). */
export function parseRunOrigin(
  origin: string | null | undefined,
  traceIndex: number | null,
  trigger: string | null,
): RunOrigin {
  if (origin === "listener" || trigger === LEGACY_LISTENER_TRIGGER) return { kind: "listener" };
  if (origin === "group") return parseGroupOriginColumn(trigger ?? "");
  return { kind: "trigger", traceIndex: traceIndex ?? 0, trigger: trigger ?? "" };
}

/** A run's deliveries as stored (JSON), each given its kind; legacy records are recognised. */
export function parseStoredDeliveries(stored: unknown): DeliveryRecord[] {
  if (!Array.isArray(stored)) return [];
  return stored.map((item: unknown): DeliveryRecord => {
    const d = item as Partial<DeliveryRecord> & { resource?: RenderedResource };
    if (d.kind !== undefined) return d as DeliveryRecord;
    const r = d.resource;
    const base = {
      seq: d.seq ?? 0,
      deliveryKey: d.deliveryKey ?? "",
      state: d.state ?? "pending",
      attempts: d.attempts ?? [],
    };
    if (r?.apiVersion === LEGACY_CLOUDEVENT.apiVersion && r.kind === LEGACY_CLOUDEVENT.kind) {
      const body = r.body as { uri?: string; event?: CloudEventMessage };
      return {
        kind: "cloudevent",
        ...base,
        uri: body.uri ?? "",
        event: body.event ?? { id: "", type: "", source: "", subject: "", data: null },
      };
    }
    return { kind: "resource", ...base, resource: r as RenderedResource, ...created(item) };
  });
}

function created(item: unknown): Pick<ResourceDeliveryRecord, "created"> {
  const c = (item as ResourceDeliveryRecord).created;
  return c === undefined ? {} : { created: c };
}
