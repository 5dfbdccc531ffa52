import {
  accept,
  firstHeader,
  reject,
  safeEqual,
  type Interceptor,
  type InterceptorResponse,
} from "../../src/interceptors/public.js";
import { parseTokenParams, type TokenParams } from "../github/shared-params.js";

/**
 * Tekton's gitlab interceptor (TEKTON-SPEC §4.2): `eventTypes` on X-Gitlab-Event, and
 * X-Gitlab-Token equal to the secret, compared in constant time.
 */
export const gitlab: Interceptor<TokenParams> = {
  name: "gitlab",
  parseParams: (params) => parseTokenParams(params),
  async process(req, params, ctx): Promise<InterceptorResponse> {
    if (params.eventTypes !== undefined) {
      const actual = firstHeader(req.header, "X-Gitlab-Event") ?? "";
      if (!params.eventTypes.includes(actual))
        return reject("FAILED_PRECONDITION", `event type ${actual} is not allowed`);
    }
    if (params.secretRef !== undefined) {
      if (params.secretRef.secretKey === "")
        return reject("FAILED_PRECONDITION", "gitlab interceptor secretRef.secretKey is empty");
      // Go's Header.Get gives "" for an absent header and an empty one alike; Tekton tests for "".
      const token = firstHeader(req.header, "X-Gitlab-Token") ?? "";
      if (token === "")
        return reject("INVALID_ARGUMENT", "no X-Gitlab-Token header set", { authFailure: true });
      let secret: Buffer;
      try {
        secret = await ctx.secrets.get(params.secretRef, ctx.namespace);
      } catch (err) {
        return reject("FAILED_PRECONDITION", `error getting secret: ${(err as Error).message}`);
      }
      if (!safeEqual(Buffer.from(token), secret))
        return reject("INVALID_ARGUMENT", "Invalid X-GitLab-Token", { authFailure: true });
    }
    return accept();
  },
};
