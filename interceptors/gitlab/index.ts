import {
  accept,
  checkEventType,
  firstHeader,
  parseTokenParams,
  readSecret,
  reject,
  safeEqual,
  type Interceptor,
  type InterceptorResponse,
  type TokenParams,
} from "../../src/interceptors/public.js";

/**
 * Tekton's gitlab interceptor (TEKTON-SPEC §4.2): `eventTypes` on X-Gitlab-Event, and
 * X-Gitlab-Token equal to the secret, compared in constant time.
 */
export const gitlab: Interceptor<TokenParams> = {
  name: "gitlab",
  parseParams: (params) => parseTokenParams(params),
  async process(req, params, ctx): Promise<InterceptorResponse> {
    const wrongType = checkEventType(req, "X-Gitlab-Event", params.eventTypes);
    if (wrongType !== undefined) return wrongType;
    if (params.secretRef === undefined) return accept();
    if (params.secretRef.secretKey === "")
      return reject("FAILED_PRECONDITION", "gitlab interceptor secretRef.secretKey is empty");
    // Go's Header.Get gives "" for an absent header and an empty one alike; Tekton tests for "".
    const token = firstHeader(req.header, "X-Gitlab-Token") ?? "";
    if (token === "")
      return reject("INVALID_ARGUMENT", "no X-Gitlab-Token header set", { authFailure: true });
    const secret = await readSecret(ctx, params.secretRef);
    if (!secret.ok) return secret.response;
    if (!safeEqual(Buffer.from(token), secret.value))
      return reject("INVALID_ARGUMENT", "Invalid X-GitLab-Token", { authFailure: true });
    return accept();
  },
};
