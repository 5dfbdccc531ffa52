import {
  accept,
  checkEventType,
  checkHubSignature,
  firstHeader,
  readSecret,
  reject,
  type Interceptor,
  type InterceptorResponse,
} from "../../src/interceptors/public.js";
import { parseGithubParams, type GithubParams } from "./params.js";

/**
 * Tekton's github interceptor (TEKTON-SPEC §4.1): form bodies refused, `eventTypes` on
 * X-GitHub-Event, X-Hub-Signature-256 over the raw bytes in constant time. Checks run in Tekton's
 * order and answer with its codes and messages, which users grep their logs for.
 */
export const github: Interceptor<GithubParams> = {
  name: "github",
  parseParams: parseGithubParams,
  async process(req, params, ctx): Promise<InterceptorResponse> {
    if (firstHeader(req.header, "Content-Type") === "application/x-www-form-urlencoded") {
      return reject(
        "INVALID_ARGUMENT",
        "form parameter encoding not supported, please change the hook to send JSON payloads",
      );
    }
    const wrongType = checkEventType(req, "X-Github-Event", params.eventTypes);
    if (wrongType !== undefined) return wrongType;
    if (params.secretRef !== undefined) {
      if (params.secretRef.secretKey === "")
        return reject("FAILED_PRECONDITION", "github interceptor secretRef.secretKey is empty");
      // Go's Header.Get gives "" for an absent header and an empty one alike; Tekton tests for "".
      const header = firstHeader(req.header, "X-Hub-Signature-256") ?? "";
      if (header === "")
        return reject("FAILED_PRECONDITION", "no X-Hub-Signature-256 header set", {
          authFailure: true,
        });
      const secret = await readSecret(ctx, params.secretRef);
      if (!secret.ok) return secret.response;
      const failure = checkHubSignature(header, req.body, secret.value);
      if (failure !== undefined)
        return reject("FAILED_PRECONDITION", failure, { authFailure: true });
    }
    if (params.addChangedFiles?.enabled === true || params.githubOwners?.enabled === true) {
      // These call the GitHub API; the interceptor issue builds them. Say so rather than pass silently.
      return reject("UNIMPLEMENTED", "addChangedFiles and githubOwners are not supported yet");
    }
    return accept();
  },
};
