import { STATUS_CODES } from "node:http";
import { HooklineError } from "../../errors/hookline-error.js";
import { describeUrl } from "../../http/describe-url.js";
import type { HttpRequestDelivery } from "../../store/types.js";
import type { HttpSendResult } from "./http-request-sink.js";

/**
 * Throws when the answer's status is not one the request expects (`expectedStatuses`, default any
 * 2xx): 429 and 5xx are retried (honouring Retry-After), as a resource's are; any other status —
 * another 4xx, a 3xx (redirects are not followed), a 2xx the entry did not list — is permanent.
 */
export function checkHttpAnswer(delivery: HttpRequestDelivery, result: HttpSendResult): void {
  const { status } = result.answer;
  const expected = delivery.request.expectedStatuses;
  if (expected === undefined ? status >= 200 && status < 300 : expected.includes(status)) return;
  const retryable = status === 429 || status >= 500;
  const where = `${delivery.request.method} ${describeUrl(delivery.request.url)}`;
  throw new HooklineError(
    "HL_HTTP_UNEXPECTED_STATUS",
    `${where} answered ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd() +
      ` (expected ${expected === undefined ? "2xx" : expected.join(", ")})`,
    {
      retryable,
      status,
      ...(retryable && result.retryAfterMs !== undefined
        ? { retryAfterMs: result.retryAfterMs }
        : {}),
    },
  );
}
