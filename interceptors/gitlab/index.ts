import {
  accept,
  allSecretRefs,
  checkEventType,
  checkKnownEventTypes,
  firstHeader,
  readSecrets,
  reject,
  headerTokenEquals,
  eventTypeFacts,
  type DispatchFacts,
  type Interceptor,
  type InterceptorContext,
  type InterceptorResponse,
  type RawRequest,
} from "../../src/interceptors/public.js";
import {
  addGitlabChangedFiles,
  preloadGitlabClient,
  type GitlabApiOptions,
} from "./changed-files.js";
import { GITLAB_EVENT_NAMES } from "./event-names.js";
import { parseGitlabParams, type GitlabParams } from "./params.js";

/**
 * Tekton's gitlab interceptor (TEKTON-SPEC §4.2): `eventTypes` on X-Gitlab-Event, and
 * X-Gitlab-Token equal to the secret, compared in constant time; then addChangedFiles through the
 * GitLab API `options` name (hookline passes HOOKLINE_GITLAB_API_URL from its settings).
 * @example const registry = new InterceptorRegistry([createGitlabInterceptor({ apiUrl: fake.url })]);
 */
export function createGitlabInterceptor(options: GitlabApiOptions = {}): Interceptor<GitlabParams> {
  return {
    name: "gitlab",
    parseParams: (values) => {
      const params = parseGitlabParams(values);
      // Known at config load: only triggers with addChangedFiles load the API client.
      if (params.addChangedFiles?.enabled === true) preloadGitlabClient();
      return params;
    },
    secretRefs: (params) => [
      ...allSecretRefs(params),
      ...(params.addChangedFiles?.enabled === true &&
      params.addChangedFiles.personalAccessToken !== undefined
        ? [params.addChangedFiles.personalAccessToken]
        : []),
    ],
    async process(req, params, ctx): Promise<InterceptorResponse> {
      const refused = await checkGitlabSender(req, params, ctx);
      if (refused !== undefined) return refused;
      return addGitlabChangedFiles(req, params, ctx, options); // accept(), or with changed_files
    },
    // With a secret, the event-type and token checks are the auth-first gate's.
    authenticator: (params) =>
      allSecretRefs(params).length === 0
        ? undefined
        : async (raw, ctx) => (await checkGitlabSender(raw, params, ctx)) ?? accept(),
    dispatchFacts: gitlabFacts,
    paramWarnings: (params) =>
      checkKnownEventTypes(
        params.eventTypes,
        GITLAB_EVENT_NAMES,
        "eventTypes",
        "an event GitLab sends (X-Gitlab-Event)",
      ),
  };
}

/** For the dispatch index: `eventTypes`, then the token (the authenticator), then the API call. */
function gitlabFacts(params: GitlabParams): DispatchFacts {
  return {
    unless: [],
    requires: eventTypeFacts("gitlab", "X-Gitlab-Event", params.eventTypes),
    then:
      params.addChangedFiles?.enabled === true
        ? "opaque"
        : allSecretRefs(params).length === 0
          ? "continues"
          : "authenticates",
  };
}

/** The built-in gitlab interceptor with no API settings (the payload's host; see above). */
export const gitlab: Interceptor<GitlabParams> = createGitlabInterceptor();

/** `eventTypes`, then the token when a secret is configured: the rejection, or undefined. */
async function checkGitlabSender(
  req: RawRequest,
  params: GitlabParams,
  ctx: InterceptorContext,
): Promise<InterceptorResponse | undefined> {
  const wrongType = checkEventType(req, "X-Gitlab-Event", params.eventTypes, "gitlab");
  if (wrongType !== undefined) return wrongType;
  const refs = allSecretRefs(params); // secretRef, then secretRefs (key rotation: any may match)
  if (refs.length === 0) return undefined;
  if (params.secretRef?.secretKey === "")
    return reject("FAILED_PRECONDITION", "gitlab interceptor secretRef.secretKey is empty");
  // Go's Header.Get gives "" for an absent header and an empty one alike; Tekton tests for "".
  const token = firstHeader(req.header, "X-Gitlab-Token") ?? "";
  if (token === "")
    return reject("INVALID_ARGUMENT", "no X-Gitlab-Token header set", { authFailure: true });
  const secrets = await readSecrets(ctx, refs);
  if (!secrets.ok) return secrets.response;
  // Every secret is compared (no early exit), each (token, secret) once per event.
  if (!secrets.values.map((s) => headerTokenEquals(req.header, "X-Gitlab-Token", s)).includes(true))
    return reject("INVALID_ARGUMENT", "Invalid X-GitLab-Token", { authFailure: true });
  return undefined;
}
