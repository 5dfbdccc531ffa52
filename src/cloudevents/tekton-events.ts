import { firstHeader } from "../core/canonical-header.js";
import type { Header } from "../core/incoming-event.js";
import type { CloudEventDelivery } from "../store/types.js";

/** The event types Tekton's EventListener sends (TEKTON-SPEC §2.2). */
export const ACCEPTED = "dev.tekton.event.triggers.accepted.v1";
export type LifecycleType = "started" | "successful" | "failed" | "done";

/** Is this request a CloudEvent (binary mode, or structured JSON)? Then the answer is one too. */
export function isCloudEventRequest(header: Header): boolean {
  if (firstHeader(header, "Ce-Specversion") !== undefined) return true;
  return (firstHeader(header, "Content-Type") ?? "").startsWith("application/cloudevents+json");
}

export interface LifecycleInput {
  uri: string;
  listener: { namespace: string; name: string };
  eventId: string;
  header: Header;
  fired: boolean;
}

/**
 * Tekton's started, successful or failed, and done events for one event, as journal deliveries:
 * the delivery worker posts them in order with retries. Source and subject are Tekton's; the data
 * is the request's headers, as Tekton sends them.
 */
export function lifecycleEvents(input: LifecycleInput): CloudEventDelivery[] {
  const types: LifecycleType[] = ["started", input.fired ? "successful" : "failed", "done"];
  return types.map((t, seq) => ({
    kind: "cloudevent",
    seq,
    deliveryKey: `${input.eventId}.ce.${seq}`,
    uri: input.uri,
    event: {
      id: `${input.eventId}-${t}`,
      type: `dev.tekton.event.triggers.${t}.v1`,
      source: `/apis/triggers.tekton.dev/v1beta1/namespaces/${input.listener.namespace}/eventlisteners/${input.listener.name}`,
      subject: `${input.listener.name} processing ${input.eventId}`,
      data: input.header,
    },
  }));
}
