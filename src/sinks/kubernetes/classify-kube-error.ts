import { ApiException } from "@kubernetes/client-node";
import { HooklineError } from "../../errors/hookline-error.js";
import { HttpError } from "../../http/http-error.js";

/** What an API server's `kind: Status` error body says (the fields hookline reads). */
export interface KubeStatus {
  code: number;
  reason: string | undefined;
  message: string | undefined;
  retryAfterSeconds: number | undefined;
}

/** A Retry-After longer than this is taken as this: the worker's backoff cap. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Turns what the client threw into the error the delivery worker reads: `retryable` for what
 * may pass (no connection, a timeout, 429, 5xx, and 401, since credentials are rotated and
 * dead-lettering every event for a stale token would lose them), permanent for what the API
 * server decided about the resource (400, 403, 404, 422 and the other 4xx), with the API
 * server's own message kept. `what` names the resource, e.g. `PipelineRun "ci/build-"`.
 */
export function classifyKubeError(err: unknown, what: string): HooklineError {
  if (err instanceof HooklineError) return err;
  if (err instanceof ApiException) {
    const status = parseStatus(err.code, err.body);
    const retryAfterMs = retryAfter(err.headers, status);
    const retryable =
      status.code === 401 || status.code === 408 || status.code === 429 || status.code >= 500;
    const said = status.message ?? status.reason ?? "no message";
    return new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `${what}: the Kubernetes API answered ${status.code}${status.reason === undefined ? "" : ` ${status.reason}`}: ${said}`,
      {
        retryable,
        status: status.code,
        ...(status.reason === undefined ? {} : { reason: status.reason }),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
      { cause: err },
    );
  }
  if (err instanceof HttpError && err.kind === "timeout") {
    return new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `${what}: the Kubernetes API did not answer: ${err.message}`,
      { retryable: true, reason: "Timeout" },
      { cause: err },
    );
  }
  const code =
    err instanceof HttpError ? err.code : (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  // Connection refused or reset, DNS, TLS, an endless answer: the server or the way to it is
  // down or misconfigured. Retried: the event is kept until it is fixed, or until the worker's
  // attempts run out.
  return new HooklineError(
    "HL_SINK_WRITE_FAILED",
    `${what}: the Kubernetes API could not be reached: ${message}`,
    { retryable: true, ...(code === undefined ? {} : { reason: code }) },
    { cause: err },
  );
}

/** The Status in an error body; the HTTP status alone when the body is not one. */
export function parseStatus(httpCode: number, body: unknown): KubeStatus {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      // Not JSON (a proxy's HTML page, say): only the HTTP status is known.
      value = undefined;
    }
  }
  const status: KubeStatus = {
    code: httpCode,
    reason: undefined,
    message: undefined,
    retryAfterSeconds: undefined,
  };
  if (!isRecord(value) || value["kind"] !== "Status") return status;
  if (typeof value["reason"] === "string" && value["reason"] !== "")
    status.reason = value["reason"];
  if (typeof value["message"] === "string" && value["message"] !== "")
    status.message = value["message"];
  const details = value["details"];
  if (isRecord(details) && typeof details["retryAfterSeconds"] === "number")
    status.retryAfterSeconds = details["retryAfterSeconds"];
  return status;
}

function retryAfter(headers: Record<string, string>, status: KubeStatus): number | undefined {
  const header = Object.entries(headers).find(
    ([name]) => name.toLowerCase() === "retry-after",
  )?.[1];
  let ms: number | undefined;
  if (header !== undefined && /^\s*\d+\s*$/.test(header)) ms = Number(header) * 1000;
  else if (header !== undefined && !Number.isNaN(Date.parse(header)))
    ms = Math.max(0, Date.parse(header) - Date.now());
  else if (status.retryAfterSeconds !== undefined) ms = status.retryAfterSeconds * 1000;
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
