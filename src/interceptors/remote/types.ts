import type { TlsConfig } from "../../http/types.js";

/**
 * How long an Interceptor/ClusterInterceptor service is waited for: 7 s, under the 8 s decision
 * deadline (DEFAULT_DEADLINE_MS), so that a slow service fails its trigger with a reason that
 * names it ("no answer within 7000 ms") instead of the deadline cutting it. Tekton's listener
 * waits 10 s (its HTTP client's timeout), which the deadline would always cut first. A legacy
 * `webhook:` interceptor is waited for 5 s, as in Tekton (TEKTON-SPEC §2.5).
 */
export const DEFAULT_INTERCEPTOR_TIMEOUT_MS = 7_000;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5_000;

/** Annotation on an Interceptor/ClusterInterceptor: how long to wait for it (`3s`, `500ms`). */
export const TIMEOUT_ANNOTATION = "hookline.dev/timeout";
/** Annotation on a Trigger or EventListener: how long its `webhook:` interceptors are waited for. */
export const WEBHOOK_TIMEOUT_ANNOTATION = "hookline.dev/webhook-timeout";

/** Where a remote interceptor is reached, resolved once at load. */
export interface RemoteTarget {
  /** The absolute http(s) URL POSTed to. */
  url: string;
  /** The longest wait for the whole answer; the decision deadline may cut it shorter. */
  timeoutMs: number;
  /** The clientConfig's caBundle as the only CA trusted, when one is given (https only). */
  tls?: TlsConfig;
}

/** A status line, headers and body, read in full. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  /** Go-canonical names (`Content-Type`), every value kept. */
  header: Record<string, string[]>;
  body: Buffer;
}

/** One `webhook.header` entry: a string replaces the header; a list replaces it with every value. */
export interface WebhookHeader {
  name: string;
  values: string[];
  replaceWith: "one" | "list";
}
