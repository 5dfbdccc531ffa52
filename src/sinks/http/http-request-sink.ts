import type { SpanParent } from "../../core/span-parent.js";
import type { Logger } from "../../core/logger.js";
import { HTTP_ANSWER_KEPT_BYTES, IDEMPOTENCY_KEY_HEADER } from "../../core/http-request-entry.js";
import type { SecretValues } from "../../core/secret-values.js";
import { assertNever } from "../../errors/assert-never.js";
import { HooklineError } from "../../errors/hookline-error.js";
import { createDestinationGuard, type DestinationGuard } from "../../http/destination-guard.js";
import { HttpError } from "../../http/http-error.js";
import { request } from "../../http/request.js";
import { retryAfterMs } from "../../http/retry-after.js";
import type { HttpAnswer } from "../../http/types.js";
import type { SecretResolver } from "../../interceptors/types.js";
import type { HttpAnswerRecord, HttpRequestDelivery } from "../../store/types.js";
import type { HttpRequestBody } from "../../templates/types.js";

/** Calls the endpoints of `hookline.dev/v1alpha1` `HTTPRequest` deliveries: that kind's sink. */
export interface HttpRequestSink {
  /**
   * Sends one attempt and returns the answer, whatever its status (the caller decides whether it
   * was expected: `checkHttpAnswer`). Throws a HooklineError when there is no answer.
   */
  send(delivery: HttpRequestDelivery, ctx: HttpSendContext): Promise<HttpSendResult>;
}

export interface HttpSendContext {
  /** The trigger's namespace: where the headers' secretRefs are read. */
  namespace: string;
  log: Logger;
  /** The delivery attempt's span: the call is a client span under it, carrying `traceparent`. */
  trace?: SpanParent | undefined;
}

export interface HttpSendResult {
  answer: HttpAnswerRecord;
  /** The answer's Retry-After, for a 429 or 503. */
  retryAfterMs: number | undefined;
}

export interface HttpRequestSinkOptions {
  /** Reads the headers' secretRefs at each attempt; without it such a header fails the delivery. */
  secrets?: SecretResolver | undefined;
  /** Redacted from the kept answer body (the resolver teaches it the values it hands out). */
  secretValues?: SecretValues | undefined;
  /** SSRF rules and HOOKLINE_HTTP_ALLOW (default: no allow-list, loopback and link-local refused). */
  guard?: DestinationGuard | undefined;
  now?: () => Date;
}

/**
 * Every attempt carries `Idempotency-Key: <delivery key>` (the same on every retry of one
 * delivery) and the headers' Secret values read anew; only the first bytes of the answer are read
 * (the rest is dropped) and kept with secret values redacted.
 */
export function createHttpRequestSink(options: HttpRequestSinkOptions = {}): HttpRequestSink {
  const guard = options.guard ?? createDestinationGuard();
  const now = options.now ?? (() => new Date());
  return {
    async send(delivery, ctx) {
      const req = delivery.request;
      const headers: Record<string, string> = {};
      for (const { name, value } of req.headers) {
        headers[name] =
          value.kind === "literal"
            ? value.value
            : await readSecretHeader(name, value.secretRef, ctx.namespace, options.secrets);
      }
      const encoded = encodeBody(req.body);
      if (encoded !== undefined && !hasHeader(headers, "content-type"))
        headers["Content-Type"] = encoded.contentType;
      if (!hasHeader(headers, "user-agent")) headers["User-Agent"] = "hookline";
      headers[IDEMPOTENCY_KEY_HEADER] = delivery.deliveryKey;
      let answer: HttpAnswer;
      try {
        answer = await request({
          method: req.method,
          url: req.url,
          headers,
          body: encoded?.bytes,
          timeoutMs: req.timeoutMs,
          maxBytes: { first: HTTP_ANSWER_KEPT_BYTES },
          guard,
          trace: ctx.trace,
        });
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        if (err.kind === "refused")
          throw new HooklineError(
            "HL_HTTP_DESTINATION_REFUSED",
            err.message,
            { retryable: false },
            { cause: err },
          );
        // A timeout, a refused or reset connection, DNS: the endpoint may be back later. A
        // timeout after the endpoint took the request is sent again with the same key.
        throw new HooklineError(
          "HL_HTTP_REQUEST_FAILED",
          err.message,
          { retryable: true },
          { cause: err },
        );
      }
      const text = answer.body.toString("utf8");
      return {
        answer: {
          status: answer.status,
          at: now().toISOString(),
          body: options.secretValues?.redact(text) ?? text,
          truncated: answer.truncated === true,
        },
        retryAfterMs: retryAfterMs(answer.header),
      };
    },
  };
}

async function readSecretHeader(
  header: string,
  ref: { name: string; key: string },
  namespace: string,
  secrets: SecretResolver | undefined,
): Promise<string> {
  if (secrets === undefined)
    throw new HooklineError(
      "HL_SECRET_NOT_FOUND",
      `header ${header}: no secrets are available to this delivery worker`,
      { retryable: false, secret: `${namespace}/${ref.name}`, key: ref.key },
    );
  try {
    // A file written with `echo` ends in a newline, which a header value cannot hold.
    const value = await secrets.get({ secretName: ref.name, secretKey: ref.key }, namespace);
    return value.toString("utf8").trim();
  } catch (err) {
    // Not there is for a person to fix (replay once it is); an API server that did not answer
    // may answer the next attempt.
    const missing = err instanceof HooklineError && err.code === "HL_SECRET_NOT_FOUND";
    throw new HooklineError(
      "HL_SECRET_NOT_FOUND",
      `header ${header}: ${(err as Error).message}`,
      { retryable: !missing, secret: `${namespace}/${ref.name}`, key: ref.key },
      { cause: err },
    );
  }
}

function encodeBody(
  body: HttpRequestBody | undefined,
): { bytes: Buffer; contentType: string } | undefined {
  if (body === undefined) return undefined;
  switch (body.kind) {
    case "text":
      return { bytes: Buffer.from(body.text, "utf8"), contentType: "text/plain; charset=utf-8" };
    case "json":
      return {
        bytes: Buffer.from(JSON.stringify(body.value), "utf8"),
        contentType: "application/json",
      };
    case "form":
      return {
        bytes: Buffer.from(new URLSearchParams(body.fields).toString(), "utf8"),
        contentType: "application/x-www-form-urlencoded",
      };
    default:
      return assertNever(body);
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}
