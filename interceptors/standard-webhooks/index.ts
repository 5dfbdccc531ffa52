import {
  accept,
  checkTimestampWindow,
  firstHeader,
  parseUnixSeconds,
  readSecrets,
  reject,
  safeEqual,
  type Interceptor,
  type InterceptorContext,
  type InterceptorResponse,
  type RawRequest,
} from "../../src/interceptors/public.js";
import { parseStandardWebhooksParams, type StandardWebhooksParams } from "./params.js";
import { signStandardWebhook, standardWebhookKey } from "./sign.js";

const auth = { authFailure: true };

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/), the scheme of GitLab's signing
 * tokens, Svix and others: `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`,
 * with `webhook-timestamp` inside a window around when hookline received the event.
 */
export const standardWebhooks: Interceptor<StandardWebhooksParams> = {
  name: "standard-webhooks",
  parseParams: parseStandardWebhooksParams,
  secretRefs: (params) => params.secretRefs,
  process: async (req, params, ctx) =>
    // The body as received: a form the chain turned into JSON was signed in its original bytes.
    checkStandardWebhook({ body: req.rawBody ?? req.body, header: req.header }, params, ctx),
  // The whole check is over headers and the bytes: the auth-first gate's too.
  authenticator: (params) => (raw, ctx) => checkStandardWebhook(raw, params, ctx),
};

async function checkStandardWebhook(
  req: RawRequest,
  params: StandardWebhooksParams,
  ctx: InterceptorContext,
): Promise<InterceptorResponse> {
  const id = firstHeader(req.header, "webhook-id") ?? "";
  if (id === "") return reject("INVALID_ARGUMENT", "no webhook-id header set", auth);
  const timestamp = firstHeader(req.header, "webhook-timestamp") ?? "";
  if (timestamp === "") return reject("INVALID_ARGUMENT", "no webhook-timestamp header set", auth);
  const signature = firstHeader(req.header, "webhook-signature") ?? "";
  if (signature === "") return reject("INVALID_ARGUMENT", "no webhook-signature header set", auth);
  const seconds = parseUnixSeconds(timestamp);
  if (seconds === undefined)
    return reject("INVALID_ARGUMENT", "webhook-timestamp is not a Unix time in seconds", auth);
  // Measured from receipt, not from the clock: a replay of a stored event still verifies.
  const off = checkTimestampWindow(seconds, ctx.receivedAt, params.tolerance);
  if (off !== undefined)
    return reject(
      "FAILED_PRECONDITION",
      `webhook-timestamp is ${off} (more than ${params.tolerance} s from when the event was received)`,
      auth,
    );
  // Several signatures, space-separated (key rotation on the sender's side); only v1 is HMAC.
  const given = signature
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => s.slice(3));
  if (given.length === 0)
    return reject("FAILED_PRECONDITION", "webhook-signature has no v1 signature", auth);
  const secrets = await readSecrets(ctx, params.secretRefs);
  if (!secrets.ok) return secrets.response;
  const keys = secrets.values.map(standardWebhookKey);
  const usable = keys.filter((k): k is Buffer => k !== undefined);
  // Each unusable secret is named (never its value), so that the operator knows which to fix.
  keys.forEach((key, i) => {
    const ref = secrets.refs[i];
    if (key === undefined && ref !== undefined)
      ctx.log.warn(
        usable.length === 0
          ? "a standard-webhooks secret is not a usable key (whsec_ must be followed by base64)"
          : "a standard-webhooks secret is not a usable key (whsec_ must be followed by base64); checking the others",
        { secretName: ref.secretName, secretKey: ref.secretKey },
      );
  });
  if (usable.length === 0)
    return reject(
      "FAILED_PRECONDITION",
      "error getting secret: the secret is not a usable key (whsec_ must be followed by base64)",
    );
  const body = req.body;
  const expected = usable.map((key) => signStandardWebhook(key, id, timestamp, body));
  // Compare every pair (no early exit), each in constant time.
  const matches = given.flatMap((g) => expected.map((e) => safeEqual(g, e)));
  if (!matches.includes(true))
    return reject("FAILED_PRECONDITION", "no matching signature found", auth);
  return accept();
}
