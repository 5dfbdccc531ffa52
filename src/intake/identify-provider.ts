import { firstHeader } from "../core/canonical-header.js";
import type { Header, Provider } from "../core/incoming-event.js";

/** The only delivery ids hookline keeps: anything else could be used to inject into logs. */
const DELIVERY_ID = /^[\w=-]{1,255}$/;

/** Which provider sent the event, and its delivery id (checked against a strict pattern). */
export function identifyProvider(header: Header): {
  provider: Provider;
  deliveryId: string | undefined;
} {
  const pick = (
    provider: Provider,
    ...names: string[]
  ): { provider: Provider; deliveryId: string | undefined } => {
    for (const n of names) {
      const v = firstHeader(header, n);
      if (v !== undefined && DELIVERY_ID.test(v)) return { provider, deliveryId: v };
    }
    return { provider, deliveryId: undefined };
  };
  if (firstHeader(header, "X-Github-Event") !== undefined)
    return pick("github", "X-Github-Delivery");
  if (firstHeader(header, "X-Gitlab-Event") !== undefined)
    return pick("gitlab", "Idempotency-Key", "Webhook-Id", "X-Gitlab-Event-Uuid");
  if (firstHeader(header, "X-Event-Key") !== undefined) return pick("bitbucket", "X-Request-Uuid");
  if (firstHeader(header, "X-Slack-Signature") !== undefined)
    return { provider: "slack", deliveryId: undefined };
  return pick("generic", "Webhook-Id", "Idempotency-Key");
}
