import {
  accept,
  checkEventType,
  checkKnownEventTypes,
  checkHubSignature,
  firstHeader,
  readSecret,
  reject,
  eventTypeFacts,
  type DispatchFacts,
  type Interceptor,
  type InterceptorContext,
  type InterceptorRequest,
  type InterceptorResponse,
  type RawRequest,
} from "../../src/interceptors/public.js";
import { addChangedFiles } from "./changed-files.js";
import { preloadGithubClient, type GithubApiOptions } from "./github-api.js";
import { checkGithubOwners } from "./owners.js";
import { GITHUB_EVENT_NAMES } from "./event-names.js";
import { parseGithubParams, type GithubParams } from "./params.js";

/**
 * Tekton's github interceptor (TEKTON-SPEC §4.1): form bodies refused, `eventTypes` on
 * X-GitHub-Event, X-Hub-Signature-256 over the raw bytes in constant time, then addChangedFiles
 * or githubOwners through the GitHub API. Checks run in Tekton's order and answer with its codes
 * and messages, which users grep their logs for. `options` say where the API is (hookline passes
 * HOOKLINE_GITHUB_API_URL and HOOKLINE_GITHUB_ENTERPRISE_HOSTS from its settings; tests a fake).
 * @example const registry = new InterceptorRegistry([createGithubInterceptor({ apiUrl: fake.url })]);
 */
export function createGithubInterceptor(options: GithubApiOptions = {}): Interceptor<GithubParams> {
  return {
    name: "github",
    parseParams: (values) => {
      const params = parseGithubParams(values);
      // The compile step is where it is known that a trigger calls the API: its client is
      // loaded now, at config load, rather than by the first event (or at every start-up).
      if (callsGithubApi(params)) preloadGithubClient();
      return params;
    },
    paramWarnings: (params) =>
      checkKnownEventTypes(
        params.eventTypes,
        GITHUB_EVENT_NAMES,
        "eventTypes",
        "an event GitHub sends (X-GitHub-Event)",
      ),
    secretRefs: (params) =>
      [
        params.secretRef,
        params.addChangedFiles?.enabled === true
          ? params.addChangedFiles.personalAccessToken
          : undefined,
        params.githubOwners?.enabled === true ? params.githubOwners.personalAccessToken : undefined,
      ].filter((ref) => ref !== undefined),
    process: (req, params, ctx) => processGithub(req, params, ctx, options),
    // With a secret, the checks up to the signature's are the auth-first gate's.
    authenticator: (params) =>
      params.secretRef === undefined
        ? undefined
        : async (raw, ctx) => (await checkGithubSender(raw, params, ctx)) ?? accept(),
    dispatchFacts: githubFacts,
  };
}

/**
 * For the dispatch index, checkGithubSender's order: a form body is refused first; then
 * `eventTypes`; then, with a secret, the signature (the authenticator); then the API calls of
 * addChangedFiles or githubOwners, which the index does not look past.
 */
function githubFacts(params: GithubParams): DispatchFacts {
  const callsApi = callsGithubApi(params);
  return {
    unless: [{ header: "Content-Type", value: "application/x-www-form-urlencoded" }],
    requires: eventTypeFacts("github", "X-GitHub-Event", params.eventTypes),
    then: callsApi ? "opaque" : params.secretRef === undefined ? "continues" : "authenticates",
  };
}

/** addChangedFiles or githubOwners: the steps that call the GitHub API. */
function callsGithubApi(params: GithubParams): boolean {
  return params.addChangedFiles?.enabled === true || params.githubOwners?.enabled === true;
}

const FORM_REFUSED: InterceptorResponse = {
  continue: false,
  status: {
    code: "INVALID_ARGUMENT",
    message: "form parameter encoding not supported, please change the hook to send JSON payloads",
  },
  failure: { code: "HL_INTAKE_FORM_ENCODED" },
};

/** The built-in github interceptor with no API settings: api.github.com, no Enterprise host. */
export const github: Interceptor<GithubParams> = createGithubInterceptor();

async function processGithub(
  req: InterceptorRequest,
  params: GithubParams,
  ctx: InterceptorContext,
  options: GithubApiOptions,
): Promise<InterceptorResponse> {
  const refused = await checkGithubSender(req, params, ctx);
  if (refused !== undefined) return refused;
  const event = firstHeader(req.header, "X-Github-Event") ?? "";
  // Only GitHub Enterprise Server sends this header; github.com leaves it out.
  const enterpriseHost = firstHeader(req.header, "X-Github-Enterprise-Host");
  if (params.addChangedFiles?.enabled === true) {
    // Tekton returns here, with or without changed files: githubOwners is then never checked
    // (an upstream quirk, kept so that the same config behaves the same; see README.md).
    const pat = params.addChangedFiles.personalAccessToken;
    return addChangedFiles(req, event, pat, ctx, options, enterpriseHost);
  }
  if (params.githubOwners?.enabled === true)
    return checkGithubOwners(req, event, params.githubOwners, ctx, options, enterpriseHost);
  return accept();
}

/**
 * Tekton's checks before the API calls, in its order: form bodies refused, `eventTypes`, then
 * X-Hub-Signature-256 over the bytes. Only headers and bytes are read. The rejection, or
 * undefined to go on.
 */
async function checkGithubSender(
  req: RawRequest,
  params: GithubParams,
  ctx: InterceptorContext,
): Promise<InterceptorResponse | undefined> {
  if (firstHeader(req.header, "Content-Type") === "application/x-www-form-urlencoded") {
    // Tekton's answer; `failure` makes the trigger failed and the listener answer 400 with the fix
    // (GitHub's default content type is this one: its delivery log would otherwise say success).
    return FORM_REFUSED;
  }
  const wrongType = checkEventType(req, "X-GitHub-Event", params.eventTypes, "github");
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
    if (failure !== undefined) return reject("FAILED_PRECONDITION", failure, { authFailure: true });
  }
  return undefined;
}
