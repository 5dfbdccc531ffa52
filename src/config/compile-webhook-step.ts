import { parseTimeout } from "../interceptors/remote/parse-timeout.js";
import {
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  WEBHOOK_TIMEOUT_ANNOTATION,
  type WebhookHeader,
} from "../interceptors/remote/types.js";
import type { ChainOwner, CompileContext } from "./compile-context.js";
import type { WebhookStep } from "./compiled.js";
import { documentError } from "./issues.js";
import type { TriggerInterceptor } from "./types.js";

type Unavailable = { kind: "unavailable"; name: string; reason: string };

/** Tekton's legacy `webhook:` interceptor: `url`, or `objectRef` to a v1 Service (port 80). */
export function compileWebhookStep(
  i: Extract<TriggerInterceptor, { kind: "webhook" }>,
  namespace: string,
  owner: ChainOwner,
  cx: CompileContext,
): WebhookStep | Unavailable {
  const name = i.name ?? "webhook";
  const fail = (field: string, message: string): Unavailable => {
    cx.issues.push(documentError({ ...i.loc, field: `${i.loc.field}.webhook${field}` }, message));
    return { kind: "unavailable", name, reason: message };
  };
  let url: string;
  const ref = i.webhook.objectRef;
  if (i.webhook.url !== undefined) {
    url = i.webhook.url;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
      return fail(".url", `invalid URL "${url}": an absolute http or https URL is needed`);
    url = parsed.href;
  } else if (ref !== undefined) {
    const refName = ref["name"];
    const refNamespace = ref["namespace"];
    if (
      ref["kind"] !== "Service" ||
      ref["apiVersion"] !== "v1" ||
      typeof refName !== "string" ||
      refName === ""
    )
      return fail(
        ".objectRef",
        "invalid objectRef: it must name a Service (kind: Service, apiVersion: v1)",
      );
    const ns = typeof refNamespace === "string" && refNamespace !== "" ? refNamespace : namespace;
    url = `http://${refName}.${ns}.svc/`;
  } else {
    return fail("", "missing field(s): webhook needs url or objectRef");
  }
  const header: WebhookHeader[] = [];
  for (const [n, h] of i.webhook.header.entries()) {
    const parsed = parseWebhookHeader(h);
    if (typeof parsed === "string") return fail(`.header[${n}]`, parsed);
    header.push(parsed);
  }
  const timeoutMs = webhookTimeout(owner, cx);
  return { kind: "webhook", name, target: { url, timeoutMs }, header };
}

function webhookTimeout(owner: ChainOwner, cx: CompileContext): number {
  const known = cx.webhookTimeouts.get(owner);
  if (known !== undefined) return known;
  const text = owner.annotations[WEBHOOK_TIMEOUT_ANNOTATION];
  let ms = text === undefined ? DEFAULT_WEBHOOK_TIMEOUT_MS : parseTimeout(text);
  if (ms === undefined) {
    cx.issues.push(
      documentError(
        { ...owner.loc, field: `metadata.annotations["${WEBHOOK_TIMEOUT_ANNOTATION}"]` },
        `invalid timeout "${text ?? ""}": use e.g. 3s or 500ms`,
      ),
    );
    ms = DEFAULT_WEBHOOK_TIMEOUT_MS;
  }
  cx.webhookTimeouts.set(owner, ms);
  return ms;
}

/** A `webhook.header` entry: `{name, value}` with a string or a list of strings. */
function parseWebhookHeader(h: unknown): WebhookHeader | string {
  if (typeof h !== "object" || h === null || Array.isArray(h))
    return "a header entry must be an object with name and value";
  const { name, value, ...rest } = h as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0)
    return `unknown field "${extra[0] ?? ""}": a header entry has name and value`;
  if (typeof name !== "string" || name === "") return "missing field: name";
  if (typeof value === "string") return { name, values: [value], replaceWith: "one" };
  if (Array.isArray(value) && value.every((v): v is string => typeof v === "string"))
    return { name, values: value, replaceWith: "list" };
  return `header "${name}": value must be a string or a list of strings`;
}
