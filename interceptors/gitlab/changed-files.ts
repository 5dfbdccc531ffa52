import {
  accept,
  firstHeader,
  isRecord,
  lazyPackage,
  readSecret,
  reject,
  type InterceptorContext,
  type InterceptorRequest,
  type InterceptorResponse,
} from "../../src/interceptors/public.js";
import type { GitlabParams } from "./params.js";

/** The same extension as the github interceptor's addChangedFiles. */
export const CHANGED_FILES_EXTENSION = "changed_files";

/** Where the gitlab interceptor's API calls go. */
export interface GitlabApiOptions {
  /**
   * The GitLab base URL (`https://gitlab.example.com`, without `/api/v4`; hookline passes
   * `HOOKLINE_GITLAB_API_URL`, read by its settings). Default: `env`'s, else `https://<host>` of
   * the payload's `project.web_url`.
   */
  apiUrl?: string | undefined;
  /** An environment to read the default from (tests). Default: none; never `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How long one API call may take (ms); the event's own deadline also stops the calls. */
  queryTimeoutMs?: number;
}

const MERGE_REQUEST_HOOK = "Merge Request Hook";

/**
 * @gitbeaker/rest is imported only for triggers with addChangedFiles on: `preloadGitlabClient`
 * starts the import when such params are parsed (config load); the first merge request event
 * awaits the same promise, later ones a settled one (as the github interceptor's octokit).
 */
const loadGitbeaker = lazyPackage(
  "@gitbeaker/rest",
  "the gitlab interceptor's addChangedFiles",
  () => import("@gitbeaker/rest"),
);

/** Starts loading the API client in the background (params with addChangedFiles were parsed). */
export function preloadGitlabClient(): void {
  // A failure here is reported where it matters, by the first merge request event.
  loadGitbeaker().catch(() => undefined);
}

/**
 * hookline's addChangedFiles for GitLab (Tekton has none): for a `Merge Request Hook`, the paths
 * of the merge request's diffs (`GET /projects/:id/merge_requests/:iid/diffs`, 100 a page, every
 * page) joined with `,`, in the `changed_files` extension. Other events go on unchanged.
 */
export async function addGitlabChangedFiles(
  req: InterceptorRequest,
  params: GitlabParams,
  ctx: InterceptorContext,
  options: GitlabApiOptions = {},
): Promise<InterceptorResponse> {
  const acf = params.addChangedFiles;
  if (acf?.enabled !== true) return accept();
  if (firstHeader(req.header, "X-Gitlab-Event") !== MERGE_REQUEST_HOOK) return accept();

  let token = "";
  if (acf.personalAccessToken !== undefined) {
    if (acf.personalAccessToken.secretKey === "")
      return reject(
        "FAILED_PRECONDITION",
        "error getting secret: gitlab interceptor personalAccessToken.secretKey is empty",
      );
    const secret = await readSecret(ctx, acf.personalAccessToken);
    if (!secret.ok) return secret.response;
    token = secret.value.toString("utf8");
  }

  const payload = parseMergeRequestPayload(req);
  if (typeof payload === "string")
    return reject("FAILED_PRECONDITION", `error parsing body: ${payload}`);

  // An empty variable counts as unset.
  const configured =
    options.apiUrl ?? ((options.env ?? {})["HOOKLINE_GITLAB_API_URL"] || undefined);
  const host = configured === undefined ? payload.webHost : trimApiPath(configured);
  if (host === undefined)
    return reject(
      "FAILED_PRECONDITION",
      "error parsing body: Merge Request Hook body missing 'project.web_url' field",
    );
  // The host then comes from the body: without a verified X-Gitlab-Token anyone could name their
  // own host and be sent the personal access token.
  if (configured === undefined && token !== "" && !hasTokenCheck(params))
    return reject(
      "FAILED_PRECONDITION",
      "error getting changed files: the GitLab host comes from the payload, which no secretRef verifies; set secretRef or HOOKLINE_GITLAB_API_URL",
    );

  const { Gitlab } = await loadGitbeaker();
  const api = new Gitlab({
    host,
    ...(token === "" ? {} : { token }),
    queryTimeout: options.queryTimeoutMs ?? 10_000,
  });
  const { projectId, iid } = payload;
  try {
    const diffs = await untilAborted(
      api.MergeRequests.allDiffs(projectId, iid, { perPage: 100 }),
      ctx.signal,
    );
    return accept({ [CHANGED_FILES_EXTENSION]: diffs.map((d) => d.new_path).join(",") });
  } catch (err) {
    const message = `GET /projects/${projectId}/merge_requests/${iid}/diffs: ${describeGitlabError(err)}`;
    ctx.log.warn("GitLab API call failed", { call: "MergeRequests.allDiffs", error: message });
    return reject("FAILED_PRECONDITION", `error getting changed files: ${message}`);
  }
}

interface MergeRequestPayload {
  projectId: number;
  iid: number;
  /** `https://<host>` of `project.web_url`, when it is a URL. */
  webHost: string | undefined;
}

/** The merge request's project and iid, or the reason the body lacks them. */
export function parseMergeRequestPayload(req: InterceptorRequest): MergeRequestPayload | string {
  if (req.body.length === 0) return "body is empty";
  let json: unknown;
  try {
    json = req.bodyJSON();
  } catch {
    return "body is not JSON"; // the parser's message would quote the body
  }
  if (!isRecord(json)) return "body is not a JSON object";
  const attributes = json["object_attributes"];
  const iid = isRecord(attributes) ? attributes["iid"] : undefined;
  if (typeof iid !== "number" || !Number.isInteger(iid))
    return "Merge Request Hook body missing 'object_attributes.iid' field";
  const project = json["project"];
  const projectId = isRecord(project) ? project["id"] : undefined;
  if (typeof projectId !== "number" || !Number.isInteger(projectId))
    return "Merge Request Hook body missing 'project.id' field";
  const webUrl = isRecord(project) ? project["web_url"] : undefined;
  return { projectId, iid, webHost: httpsHost(webUrl) };
}

function httpsHost(webUrl: unknown): string | undefined {
  if (typeof webUrl !== "string") return undefined;
  try {
    const host = new URL(webUrl).host;
    return host === "" ? undefined : `https://${host}`;
  } catch {
    return undefined; // not a URL: treated as missing
  }
}

/** `https://gitlab.example.com/api/v4/` → `https://gitlab.example.com` (gitbeaker adds /api/v4). */
function trimApiPath(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/api\/v4$/, "");
}

function hasTokenCheck(params: GitlabParams): boolean {
  return params.secretRef !== undefined || (params.secretRefs?.length ?? 0) > 0;
}

/** gitbeaker takes no AbortSignal: stop waiting when the event's deadline passes. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("the event's deadline passed"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error("the event's deadline passed"));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The status (and GitLab's own short message), never the request: its headers hold the token. */
function describeGitlabError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  const response = isRecord(cause) ? cause["response"] : undefined;
  if (response instanceof Response) {
    const status = String(response.status);
    return err.message.startsWith(status) ? err.message : `${status} ${err.message}`.trim();
  }
  const inner = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${inner}`;
}
