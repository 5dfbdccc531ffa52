import {
  accept,
  firstHeader,
  reject,
  type Interceptor,
  type InterceptorResponse,
} from "../../src/interceptors/public.js";
import { checkSignature } from "../github/check-signature.js";
import { parseTokenParams, type TokenParams } from "../github/shared-params.js";

/**
 * Tekton's bitbucket interceptor (TEKTON-SPEC §4.3): `eventTypes` on X-Event-Key, and
 * X-Hub-Signature (`sha1=`, `sha256=` or `sha512=`) over the raw body.
 */
export const bitbucket: Interceptor<TokenParams> = {
  name: "bitbucket",
  parseParams: (params) => parseTokenParams(params),
  async process(req, params, ctx): Promise<InterceptorResponse> {
    if (params.eventTypes !== undefined) {
      const actual = firstHeader(req.header, "X-Event-Key") ?? "";
      if (!params.eventTypes.includes(actual))
        return reject("FAILED_PRECONDITION", `event type ${actual} is not allowed`);
    }
    if (params.secretRef !== undefined) {
      if (params.secretRef.secretKey === "")
        return reject("FAILED_PRECONDITION", "bitbucket interceptor secretRef.secretKey is empty");
      // Go's Header.Get gives "" for an absent header and an empty one alike; Tekton tests for "".
      const header = firstHeader(req.header, "X-Hub-Signature") ?? "";
      if (header === "")
        return reject("INVALID_ARGUMENT", "no X-Hub-Signature header set", { authFailure: true });
      let secret: Buffer;
      try {
        secret = await ctx.secrets.get(params.secretRef, ctx.namespace);
      } catch (err) {
        return reject("FAILED_PRECONDITION", `error getting secret: ${(err as Error).message}`);
      }
      const failure = checkSignature(header, req.body, secret);
      if (failure !== undefined)
        return reject("FAILED_PRECONDITION", `error validating signature: ${failure}`, {
          authFailure: true,
        });
    }
    return accept();
  },
};
