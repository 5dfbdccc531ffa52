import {
  accept,
  allSecretRefs,
  checkEventType,
  checkHubSignature,
  firstHeader,
  parseTokenParams,
  readSecrets,
  reject,
  eventTypeFacts,
  type DispatchFacts,
  type Interceptor,
  type InterceptorContext,
  type InterceptorResponse,
  type RawRequest,
  type TokenParams,
} from "../../src/interceptors/public.js";

/**
 * Tekton's bitbucket interceptor (TEKTON-SPEC §4.3): `eventTypes` on X-Event-Key, and
 * X-Hub-Signature (`sha1=`, `sha256=` or `sha512=`) over the raw body. Bitbucket Server/Data
 * Center and (since 2023) Bitbucket Cloud both sign this way. `secretRefs` (hookline) lists keys
 * for rotation: any one may match.
 */
export const bitbucket: Interceptor<TokenParams> = {
  name: "bitbucket",
  parseParams: (params) => parseTokenParams(params),
  secretRefs: (params) => allSecretRefs(params),
  async process(req, params, ctx): Promise<InterceptorResponse> {
    const raw = { body: req.rawBody ?? req.body, header: req.header };
    return (await checkBitbucketSender(raw, params, ctx)) ?? accept();
  },
  // The whole check is over headers and bytes: with a secret, it is the auth-first gate's too.
  authenticator: (params) =>
    allSecretRefs(params).length === 0
      ? undefined
      : async (raw, ctx) => (await checkBitbucketSender(raw, params, ctx)) ?? accept(),
  // For the dispatch index: `eventTypes`, then the signature (the authenticator).
  dispatchFacts: (params): DispatchFacts => ({
    unless: [],
    requires: eventTypeFacts("bitbucket", "X-Event-Key", params.eventTypes),
    then: allSecretRefs(params).length === 0 ? "continues" : "authenticates",
  }),
};

/** `eventTypes`, then the signature when a secret is configured: the rejection, or undefined. */
async function checkBitbucketSender(
  req: RawRequest,
  params: TokenParams,
  ctx: InterceptorContext,
): Promise<InterceptorResponse | undefined> {
  const wrongType = checkEventType(req, "X-Event-Key", params.eventTypes, "bitbucket");
  if (wrongType !== undefined) return wrongType;
  const refs = allSecretRefs(params);
  if (refs.length === 0) return undefined;
  if (params.secretRef?.secretKey === "")
    return reject("FAILED_PRECONDITION", "bitbucket interceptor secretRef.secretKey is empty");
  // Go's Header.Get gives "" for an absent header and an empty one alike; Tekton tests for "".
  const header = firstHeader(req.header, "X-Hub-Signature") ?? "";
  if (header === "")
    return reject("INVALID_ARGUMENT", "no X-Hub-Signature header set", { authFailure: true });
  const secrets = await readSecrets(ctx, refs);
  if (!secrets.ok) return secrets.response;
  // Check every key (no early exit); a malformed header gives the same message for each.
  // The body as received (before any form-to-JSON conversion): what the sender signed.
  const failures = secrets.values.map((secret) => checkHubSignature(header, req.body, secret));
  if (failures.includes(undefined)) return undefined;
  return reject("FAILED_PRECONDITION", `error validating signature: ${failures[0] ?? ""}`, {
    authFailure: true,
  });
}
