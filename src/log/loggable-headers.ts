import type { Header } from "../core/incoming-event.js";

/**
 * Headers that may appear in a log line: an allow-list, so that a new secret-bearing header
 * (a token, a signature) never leaks by default.
 */
const LOGGABLE = new Set([
  "Content-Type",
  "Content-Length",
  "User-Agent",
  "X-Github-Event",
  "X-Github-Delivery",
  "X-Github-Hook-Id",
  "X-Github-Hook-Installation-Target-Type",
  "X-Gitlab-Event",
  "X-Gitlab-Event-Uuid",
  "X-Gitlab-Instance",
  "X-Event-Key",
  "X-Request-Uuid",
  "X-Hook-Uuid",
  "Webhook-Id",
  "Idempotency-Key",
  "Ce-Type",
  "Ce-Id",
  "Ce-Source",
]);

/** The allow-listed headers with every value: what a metadata-only journal row keeps. */
export function pickLoggableHeaderLists(header: Header): Header {
  const out: Header = {};
  for (const [name, values] of Object.entries(header)) {
    if (LOGGABLE.has(name)) out[name] = [...values];
  }
  return out;
}

export function pickLoggableHeaders(header: Header): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(header)) {
    if (LOGGABLE.has(name)) out[name] = values.join(",");
  }
  return out;
}
