import {
  accept,
  isRecord,
  readSecret,
  reject,
  type InterceptorContext,
  type InterceptorRequest,
  type InterceptorResponse,
  type SecretRef,
} from "../../src/interceptors/public.js";
import {
  createGithubClient,
  describeApiError,
  resolveGithubApiUrl,
  type GithubApiOptions,
} from "./github-api.js";
import { goInt, parsePayloadObject, parseRepository, PayloadError } from "./payload.js";

/** The extension Tekton's addChangedFiles adds (TEKTON-SPEC §4.1 step 5). */
export const CHANGED_FILES_EXTENSION = "changed_files";

/** Only these events get changed files; any other event goes on untouched. */
const CHANGED_FILES_EVENTS: readonly string[] = ["pull_request", "push"];

/**
 * Tekton's addChangedFiles (TEKTON-SPEC §4.1 step 5): for a `push`, the payload's
 * `commits[*].added`, `modified` and `removed`, in that order per commit, joined with `,`; for a
 * `pull_request`, GitHub's list of the PR's files (`GET /repos/{o}/{r}/pulls/{n}/files`, 100 a
 * page, every page). Answers `continue` with the `changed_files` extension, or Tekton's rejection.
 */
export async function addChangedFiles(
  req: InterceptorRequest,
  event: string,
  personalAccessToken: SecretRef | undefined,
  ctx: InterceptorContext,
  options: GithubApiOptions,
  enterpriseHost: string | undefined,
): Promise<InterceptorResponse> {
  if (!CHANGED_FILES_EVENTS.includes(event)) return accept();

  // Tekton reads the token before it looks at the body, so its errors come first.
  let token = "";
  if (personalAccessToken !== undefined) {
    if (personalAccessToken.secretKey === "")
      return reject(
        "FAILED_PRECONDITION",
        "error getting secret: github interceptor githubToken.secretKey is empty",
      );
    const secret = await readSecret(ctx, personalAccessToken);
    if (!secret.ok) return secret.response;
    token = secret.value.toString("utf8");
  }

  let payload: ChangedFilesPayload;
  try {
    payload = parseChangedFilesPayload(req, event);
  } catch (err) {
    if (err instanceof PayloadError)
      return reject("FAILED_PRECONDITION", `error parsing body: ${err.message}`);
    throw err;
  }

  if (event !== "pull_request") return accept({ [CHANGED_FILES_EXTENSION]: payload.changedFiles });

  const base = resolveGithubApiUrl(enterpriseHost, options);
  if (!base.ok)
    return reject("FAILED_PRECONDITION", `error getting changed files: ${base.message}`);
  const octokit = await createGithubClient(base.url, token, ctx, options);
  const { owner, repo, number } = payload;
  try {
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner,
      repo,
      pull_number: number,
      per_page: 100,
    });
    return accept({ [CHANGED_FILES_EXTENSION]: files.map((f) => f.filename).join(",") });
  } catch (err) {
    const message = describeApiError(err, `GET /repos/${owner}/${repo}/pulls/${number}/files`);
    ctx.log.warn("GitHub API call failed", { call: "pulls.listFiles", error: message });
    return reject("FAILED_PRECONDITION", `error getting changed files: ${message}`);
  }
}

interface ChangedFilesPayload {
  owner: string;
  repo: string;
  /** The PR number (pull_request only; -1 for a push, as in Tekton). */
  number: number;
  /** The push's files, from the payload. */
  changedFiles: string;
}

/** Tekton's parseBodyForChangedFiles, in its order of checks and with its messages. */
export function parseChangedFilesPayload(
  req: InterceptorRequest,
  event: string,
): ChangedFilesPayload {
  const json = parsePayloadObject(req, "body is empty");
  let number = -1;
  if (event === "pull_request") {
    const n = goInt(json["number"]);
    if (n === undefined) throw new PayloadError("pull_request body missing 'number' field");
    number = n;
  }
  const { owner, repo } = parseRepository(json);
  const files: string[] = [];
  const commits = json["commits"];
  if (Array.isArray(commits)) {
    for (const commit of commits) {
      const c = isRecord(commit) ? commit : {};
      const lists: unknown[][] = [];
      for (const field of ["added", "modified", "removed"] as const) {
        const list = c[field];
        if (!Array.isArray(list))
          throw new PayloadError(`payload body missing 'commits.*.${field}' field`);
        lists.push(list);
      }
      for (const list of lists) for (const f of list) files.push(goString(f));
    }
  }
  return { owner, repo, number, changedFiles: files.join(",") };
}

/** A file name as Go's `fmt.Sprintf("%v", v)` prints a JSON value (real payloads hold strings). */
function goString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null) return "<nil>";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
