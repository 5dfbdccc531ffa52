import { createHmac } from "node:crypto";
import {
  checkTimestampWindow,
  firstHeader,
  parseUnixSeconds,
  readSecrets,
  reject,
  safeEqual,
  type InterceptorContext,
  type InterceptorResponse,
  type RawRequest,
  type SecretRef,
} from "../../src/interceptors/public.js";

/** Slack's window: "more than five minutes from local time" is a possible replay. */
export const SLACK_TOLERANCE_SECONDS = 300;

const auth = { authFailure: true };

/**
 * Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>">` with
 * the app's signing secret, over `req.body` as sent (not the chain's JSON conversion of the form).
 * Returns the rejection, or undefined when one secret matches.
 */
export async function verifySlackSignature(
  req: RawRequest,
  signature: string,
  refs: readonly SecretRef[],
  ctx: InterceptorContext,
): Promise<InterceptorResponse | undefined> {
  const timestamp = firstHeader(req.header, "X-Slack-Request-Timestamp") ?? "";
  if (timestamp === "")
    return reject("INVALID_ARGUMENT", "no X-Slack-Request-Timestamp header set", auth);
  const seconds = parseUnixSeconds(timestamp);
  if (seconds === undefined)
    return reject(
      "INVALID_ARGUMENT",
      "X-Slack-Request-Timestamp is not a Unix time in seconds",
      auth,
    );
  // Measured from receipt, not from the clock: a replay of a stored event still verifies.
  const off = checkTimestampWindow(seconds, ctx.receivedAt, SLACK_TOLERANCE_SECONDS);
  if (off !== undefined)
    return reject(
      "FAILED_PRECONDITION",
      `X-Slack-Request-Timestamp is ${off} (more than 5 minutes from when the event was received)`,
      auth,
    );
  const secrets = await readSecrets(ctx, refs);
  if (!secrets.ok) return secrets.response;
  const body = req.body;
  const matches = secrets.values.map((secret) => {
    const hex = createHmac("sha256", secret).update(`v0:${timestamp}:`).update(body).digest("hex");
    return safeEqual(signature, `v0=${hex}`);
  });
  if (!matches.includes(true))
    return reject("FAILED_PRECONDITION", "X-Slack-Signature check failed", auth);
  return undefined;
}
