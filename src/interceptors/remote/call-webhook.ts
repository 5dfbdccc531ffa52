import { canonicalHeaderKey } from "../../core/canonical-header.js";
import type { SpanParent } from "../../core/span-parent.js";
import { postBytes, RemoteCallError } from "./post-bytes.js";
import type { RemoteTarget, WebhookHeader } from "./types.js";

/** What a `webhook:` interceptor sends and gets back: the event's body and headers. */
export interface WebhookMessage {
  body: Buffer;
  header: Readonly<Record<string, readonly string[]>>;
}

/**
 * Tekton's legacy webhook interceptor (TEKTON-SPEC §2.5): the extensions merged into the body
 * under `extensions.<key>`, the body POSTed with the current headers plus
 * `Eventlistener-Request-Url` and the configured `header` params. HTTP 200 is required; the
 * answer's body becomes the event body and its headers replace all headers, for the interceptors
 * after it and for bindings.
 */
export async function callWebhook(
  target: RemoteTarget,
  configured: readonly WebhookHeader[],
  message: WebhookMessage,
  extensions: Readonly<Record<string, unknown>>,
  eventUrl: string,
  signal: AbortSignal,
  trace?: SpanParent,
): Promise<WebhookMessage> {
  const header: Record<string, string[]> = {};
  // Host, Content-Length, Connection and the other hop-by-hop headers are dropped by the HTTP
  // layer: the new connection sets its own.
  for (const [k, v] of Object.entries(message.header)) header[k] = [...v];
  header["Eventlistener-Request-Url"] = [eventUrl];
  for (const h of configured) {
    // Go's Header.Set / Del + Add: the name is canonicalised, earlier values go.
    const name = canonicalHeaderKey(h.name);
    header[name] = h.replaceWith === "one" ? h.values.slice(0, 1) : [...h.values];
    if (header[name].length === 0) delete header[name];
  }
  const answer = await postBytes(
    target,
    header,
    withExtensions(message.body, extensions),
    signal,
    trace,
  );
  if (answer.status !== 200) {
    // Tekton's text: `request rejected; status: <status>; message: <body>`.
    const text = answer.body.toString("utf8").trim();
    throw new RemoteCallError(
      `POST ${target.url}: request rejected; status: ${answer.status} ${answer.statusText}; message: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`,
    );
  }
  return { body: answer.body, header: answer.header };
}

/**
 * sjson.SetRawBytes(body, "extensions."+k, v) for each extension: the body keeps its other keys.
 * A body that is not a JSON object is sent as it is. Unlike sjson, a key with a dot in it is one
 * key, not a path.
 */
function withExtensions(body: Buffer, extensions: Readonly<Record<string, unknown>>): Buffer {
  const keys = Object.keys(extensions);
  if (keys.length === 0) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return body;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return body;
  const obj = parsed as Record<string, unknown>;
  const existing = obj["extensions"];
  const merged: Record<string, unknown> =
    typeof existing === "object" && existing !== null && !Array.isArray(existing)
      ? { ...(existing as Record<string, unknown>) }
      : {};
  for (const k of keys) merged[k] = extensions[k];
  return Buffer.from(JSON.stringify({ ...obj, extensions: merged }));
}
