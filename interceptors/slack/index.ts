import {
  accept,
  firstHeader,
  isRecord,
  reject,
  type Interceptor,
  type InterceptorContext,
  type InterceptorResponse,
  type RawRequest,
} from "../../src/interceptors/public.js";
import { parseSlackParams, type SlackParams } from "./params.js";
import { verifySlackSignature } from "./verify-slack-signature.js";

export type { SlackParams } from "./params.js";

/**
 * Tekton's slack interceptor (TEKTON-SPEC §4.4): copies requested form fields into extensions.
 * With `secretRef`/`secretRefs` (hookline's addition) it also verifies X-Slack-Signature.
 */
export const slack: Interceptor<SlackParams> = {
  name: "slack",
  parseParams: parseSlackParams,
  secretRefs: (params) => params.secretRefs ?? [],
  async process(req, params, ctx): Promise<InterceptorResponse> {
    // Slack signs the form as sent; `req.body` may be the chain's JSON conversion of it.
    const raw = { body: req.rawBody ?? req.body, header: req.header };
    const refused = await checkSlackSender(raw, params, ctx);
    if (refused !== undefined) return refused;
    let payload: unknown;
    try {
      payload = req.bodyJSON();
    } catch {
      // JSON.parse's message quotes the start of the body (a Slack form carries its token there);
      // Go's does not. Name the problem without the bytes.
      return reject("INVALID_ARGUMENT", "failed to unmarshl slack payload: body is not valid JSON");
    }
    if (!isStringListMap(payload))
      return reject(
        "INVALID_ARGUMENT",
        "failed to unmarshl slack payload: body is not a JSON object of string lists",
      );
    if (params.requestedFields === undefined)
      return reject("NOT_FOUND", "missing requested field definition");
    const extensions: Record<string, unknown> = {};
    for (const field of params.requestedFields) {
      // Tekton prints the whole payload here; hookline names the field instead (the form holds a token).
      if (!Object.hasOwn(payload, field))
        return reject("NOT_FOUND", `requested field does not exists in payload: ${field}`);
      extensions[field] = payload[field];
    }
    return accept(extensions);
  },
  // With a signing secret, the checks before the body are the auth-first gate's (without one,
  // only the header's presence is checked: that authenticates nobody).
  authenticator: (params) =>
    params.secretRefs === undefined
      ? undefined
      : async (raw, ctx) => (await checkSlackSender(raw, params, ctx)) ?? accept(),
};

/**
 * Tekton's order (pkg/interceptors/slack/slack.go): Content-Type, signature, body, then params.
 * This is the part before the body: the rejection, or undefined to go on.
 */
async function checkSlackSender(
  req: RawRequest,
  params: SlackParams,
  ctx: InterceptorContext,
): Promise<InterceptorResponse | undefined> {
  const missing = "missing header in payload: ContentType application/x-www-form-urlencoded";
  if (firstHeader(req.header, "Content-Type") !== "application/x-www-form-urlencoded")
    return reject("INVALID_ARGUMENT", missing);
  // Tekton only checks that the header is there (the same message is upstream's).
  const signature = firstHeader(req.header, "X-Slack-Signature") ?? "";
  if (signature === "") return reject("INVALID_ARGUMENT", missing, { authFailure: true });
  // hookline's addition, before the body is read: the signature, when a secret is configured.
  if (params.secretRefs !== undefined)
    return verifySlackSignature(req, signature, params.secretRefs, ctx);
  return undefined;
}

/** Tekton decodes the body into Go's `map[string][]string`, the sink's form-to-JSON shape. */
function isStringListMap(value: unknown): value is Record<string, string[]> {
  return (
    isRecord(value) &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((s) => typeof s === "string"))
  );
}
