import { firstHeader } from "../intake/canonical-header.js";
import type { Header } from "../intake/types.js";
import type { RenderedResource } from "../templates/types.js";

/** The event types Tekton's EventListener sends (TEKTON-SPEC §2.2). */
export const ACCEPTED = "dev.tekton.event.triggers.accepted.v1";
export type LifecycleType = "started" | "successful" | "failed" | "done";

/** The pseudo-resource a CloudEvent to `cloudEventURI` travels as through the journal. */
export const CLOUDEVENT_API_VERSION = "hookline.dev/v1";
export const CLOUDEVENT_KIND = "CloudEvent";

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
 * the delivery worker posts them in order with retries, like any resource. Source and subject are
 * Tekton's; the data is the request's headers, as Tekton sends them.
 */
export function lifecycleEvents(input: LifecycleInput): RenderedResource[] {
  const types: LifecycleType[] = ["started", input.fired ? "successful" : "failed", "done"];
  return types.map((t) => ({
    apiVersion: CLOUDEVENT_API_VERSION,
    kind: CLOUDEVENT_KIND,
    namespace: input.listener.namespace,
    name: undefined,
    generateName: undefined,
    body: {
      uri: input.uri,
      event: {
        id: `${input.eventId}-${t}`,
        type: `dev.tekton.event.triggers.${t}.v1`,
        source: `/apis/triggers.tekton.dev/v1beta1/namespaces/${input.listener.namespace}/eventlisteners/${input.listener.name}`,
        subject: `${input.listener.name} processing ${input.eventId}`,
        data: input.header,
      },
    },
  }));
}
