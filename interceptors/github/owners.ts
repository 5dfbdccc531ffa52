import type { Octokit } from "@octokit/rest";
import { parse as parseYaml } from "yaml";
import {
  accept,
  isRecord,
  reject,
  type InterceptorContext,
  type InterceptorRequest,
  type InterceptorResponse,
} from "../../src/interceptors/public.js";
import {
  createGithubClient,
  describeApiError,
  httpStatus,
  resolveGithubApiUrl,
  type GithubApiOptions,
} from "./github-api.js";
import type { GithubParams } from "./params.js";
import { goInt, parsePayloadObject, parseRepository, PayloadError } from "./payload.js";

/** In a pull request, the only two events the owners check applies to. */
const OWNERS_EVENTS: readonly string[] = ["pull_request", "issue_comment"];

/** Tekton's OKToTestCommentRegexp, unchanged (Go's RE2 and JavaScript agree on it). */
export const OK_TO_TEST = /(^|\n)\/ok-to-test(\r\n|\r|\n|$)/;

type OwnersParams = NonNullable<GithubParams["githubOwners"]>;

/**
 * Tekton's githubOwners (TEKTON-SPEC §4.1 step 6): a pull_request goes on when its sender is
 * allowed; an issue_comment goes on when it says `/ok-to-test` and its author is allowed.
 * "Allowed" is a public member of the org (`orgMembers`, `all`), a collaborator of the repository
 * (`repoMembers`, `all`), or a name in the `approvers` or `reviewers` of the repository's root
 * `OWNERS` file (every checkType; a missing file allows no one).
 */
export async function checkGithubOwners(
  req: InterceptorRequest,
  event: string,
  owners: OwnersParams,
  ctx: InterceptorContext,
  options: GithubApiOptions,
  enterpriseHost: string | undefined,
): Promise<InterceptorResponse> {
  if (!OWNERS_EVENTS.includes(event)) return accept();

  let token = "";
  if (owners.personalAccessToken !== undefined) {
    if (owners.personalAccessToken.secretKey === "")
      return reject(
        "FAILED_PRECONDITION",
        "error getting github token: github interceptor personalAccessToken.secretKey is empty",
      );
    try {
      token = (await ctx.secrets.get(owners.personalAccessToken, ctx.namespace)).toString("utf8");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // As readSecret: a token that cannot be read fails the trigger (it is not a filter).
      return {
        continue: false,
        status: { code: "FAILED_PRECONDITION", message: `error getting github token: ${message}` },
        failure: { code: "HL_SECRET_NOT_FOUND" },
      };
    }
  }
  // Tekton compares with "none": a checkType left out needs a token too.
  if (token === "" && owners.checkType !== "none")
    return reject(
      "FAILED_PRECONDITION",
      "checkType is set to check org or repo members but no personalAccessToken was supplied",
    );

  const base = resolveGithubApiUrl(enterpriseHost, options);
  if (!base.ok) return reject("FAILED_PRECONDITION", `error making client: ${base.message}`);
  const octokit = await createGithubClient(base.url, token, ctx, options);

  let payload: OwnersPayload;
  try {
    payload = parseOwnersPayload(req, event);
  } catch (err) {
    if (err instanceof PayloadError)
      return reject("FAILED_PRECONDITION", `error parsing body: ${err.message}`);
    throw err;
  }

  let allowed: boolean;
  try {
    allowed = await isAllowed(octokit, payload, owners.checkType);
  } catch (err) {
    const message = err instanceof OwnersError ? err.message : describeApiError(err, "GitHub API");
    ctx.log.warn("GitHub API call failed", { call: "owners check", error: message });
    return reject("FAILED_PRECONDITION", `error checking owner verification: ${message}`);
  }
  // Tekton checks the sender, then (for a comment) the comment and the same sender again; the
  // second check gives the first one's answer, so it is made once here.
  if (allowed && (event === "pull_request" || OK_TO_TEST.test(payload.comment))) return accept();
  return reject("FAILED_PRECONDITION", "owners check requirements not met");
}

interface OwnersPayload {
  owner: string;
  repo: string;
  sender: string;
  /** The issue comment's text ("" for a pull_request). */
  comment: string;
}

/** Tekton's parseBodyForOwners, in its order of checks and with its messages. */
export function parseOwnersPayload(req: InterceptorRequest, event: string): OwnersPayload {
  const json = parsePayloadObject(req, "payload body is empty");
  if (event === "pull_request" && goInt(json["number"]) === undefined)
    throw new PayloadError("pull_request body missing 'number' field");
  let comment = "";
  if (event === "issue_comment") {
    const issue = json["issue"];
    if (!isRecord(issue)) throw new PayloadError("issue_comment body missing 'issue' section");
    if (goInt(issue["number"]) === undefined)
      throw new PayloadError("'number' field missing in the issue section of issue_comment body");
    const commentSection = json["comment"];
    if (!isRecord(commentSection))
      throw new PayloadError("issue_comment body missing 'comment' section");
    const body = commentSection["body"];
    if (typeof body !== "string")
      throw new PayloadError("'body' field missing in the comment section of issue_comment body");
    comment = body;
  }
  const { owner, repo } = parseRepository(json);
  const sender = json["sender"];
  if (!isRecord(sender)) throw new PayloadError("payload body missing 'sender' field");
  const login = sender["login"];
  return { owner, repo, sender: typeof login === "string" ? login : "", comment };
}

/** A failure of the owners check that is not an HTTP error (a directory, bad YAML, …). */
class OwnersError extends Error {}

/** Tekton's checkOwnershipAndMembership. */
async function isAllowed(
  octokit: Octokit,
  payload: OwnersPayload,
  checkType: OwnersParams["checkType"],
): Promise<boolean> {
  const { owner, repo, sender } = payload;
  // No sender, no one to allow. (An empty name would also turn the member checks' URLs into
  // the member *lists*, which answer 200.)
  if (sender === "") return false;
  if (checkType === "orgMembers" || checkType === "all") {
    const member = await answers204(() =>
      octokit.rest.orgs.checkPublicMembershipForUser({ org: owner, username: sender }),
    );
    if (member) return true;
  }
  if (checkType === "repoMembers" || checkType === "all") {
    const collaborator = await answers204(() =>
      octokit.rest.repos.checkCollaborator({ owner, repo, username: sender }),
    );
    if (collaborator) return true;
  }
  let text: string;
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path: "OWNERS" });
    text = fileText(data);
  } catch (err) {
    if (httpStatus(err) === 404) return false; // no OWNERS file: no one is allowed by it
    if (err instanceof OwnersError) throw err;
    throw new OwnersError(describeApiError(err, `GET /repos/${owner}/${repo}/contents/OWNERS`));
  }
  return ownersFileAllows(text, sender);
}

/** GitHub's "check" endpoints: 204 yes, 404 no, anything else an error. */
async function answers204(call: () => Promise<{ status: number }>): Promise<boolean> {
  try {
    return (await call()).status === 204;
  } catch (err) {
    if (httpStatus(err) === 404) return false;
    throw err;
  }
}

/** go-github's RepositoryContent.GetContent: base64 decoded; a directory is an error. */
function fileText(data: unknown): string {
  if (Array.isArray(data))
    throw new OwnersError("referenced file inside the Github Repository OWNERS is a directory");
  const content = isRecord(data) ? data["content"] : undefined;
  const encoding = isRecord(data) ? data["encoding"] : undefined;
  if (typeof content !== "string") return "";
  if (encoding === "base64") return Buffer.from(content, "base64").toString("utf8");
  if (encoding === undefined || encoding === "") return content;
  throw new OwnersError(
    `unsupported content encoding: ${typeof encoding === "string" ? encoding : JSON.stringify(encoding)}`,
  );
}

/**
 * Whether an OWNERS file lists `sender` in `approvers` or `reviewers`, ignoring case (Go's
 * strings.EqualFold). The keys are matched exactly, as yaml.v2 matches Tekton's struct fields.
 */
export function ownersFileAllows(text: string, sender: string): boolean {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new OwnersError(`yaml: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (doc === null || doc === undefined) return false;
  if (!isRecord(doc)) throw new OwnersError("yaml: the OWNERS file is not a mapping");
  const names: string[] = [];
  for (const key of ["approvers", "reviewers"] as const) {
    const list: unknown = doc[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new OwnersError(`yaml: OWNERS ${key} is not a list of strings`);
    for (const item of list as unknown[]) {
      if (typeof item === "string" || typeof item === "number" || typeof item === "boolean")
        names.push(String(item));
    }
  }
  const want = sender.toLowerCase();
  return names.some((n) => n.toLowerCase() === want);
}
