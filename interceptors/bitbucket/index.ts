import {
  accept,
  checkEventType,
  checkHubSignature,
  firstHeader,
  parseTokenParams,
  readSecret,
  reject,
  type Interceptor,
  type InterceptorResponse,
  type TokenParams,
} from "../../src/interceptors/public.js";

/**
 * Tekton's bitbucket interceptor (TEKTON-SPEC §4.3): `eventTypes` on X-Event-Key, and
 * X-Hub-Signature (`sha1=`, `sha256=` or `sha512=`) over the raw body.
 */
export const bitbucket: Interceptor<TokenParams> = {
  name: "bitbucket",
  parseParams: (params) => parseTokenParams(params),
  async process(req, params, ctx): Promise<InterceptorResponse> {
    const wrongType = checkEventType(req, "X-Event-Key", params.eventTypes);
    if (wrongType !== undefined) return wrongType;
    if (params.secretRef === undefined) return accept();
    if (params.secretRef.secretKey === "")
      return reject("FAILED_PRECONDITION", "bitbucket interceptor secretRef.secretKey is empty");
    // Go's Header.Get gives "" for an absent header and an empty one alike; Tekton tests for "".
    const header = firstHeader(req.header, "X-Hub-Signature") ?? "";
    if (header === "")
      return reject("INVALID_ARGUMENT", "no X-Hub-Signature header set", { authFailure: true });
    const secret = await readSecret(ctx, params.secretRef);
    if (!secret.ok) return secret.response;
    const failure = checkHubSignature(header, req.body, secret.value);
    if (failure !== undefined)
      return reject("FAILED_PRECONDITION", `error validating signature: ${failure}`, {
        authFailure: true,
      });
    return accept();
  },
};
