import type { Octokit } from "@octokit/rest";
import { lazyPackage, type InterceptorContext } from "../../src/interceptors/public.js";

/** Where the github interceptor's GitHub API calls go, and how they are made. */
export interface GithubApiOptions {
  /**
   * The REST API base URL for events without `X-Github-Enterprise-Host` (hookline passes
   * `HOOKLINE_GITHUB_API_URL`, read by its settings). Default: `env`'s, else `https://api.github.com`.
   */
  apiUrl?: string;
  /**
   * The hosts `X-Github-Enterprise-Host` may name, or `"*"` for any host (Tekton's behaviour).
   * Default: `env`'s `HOOKLINE_GITHUB_ENTERPRISE_HOSTS` (comma-separated), else none.
   */
  enterpriseHosts?: readonly string[] | "*";
  /** The fetch octokit uses (tests inject one). Default: the global fetch. */
  fetch?: typeof fetch;
  /**
   * An environment to read the defaults above from (tests). Default: none. The interceptor never
   * reads `process.env`: hookline's settings parser reads the variables and passes them here.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

/** A host, with an optional port: nothing that could turn into a path, user or scheme. */
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * The API base URL for one event. Tekton's go-github client uses `https://<host>/api/v3/` when
 * the webhook came from GitHub Enterprise Server (the `X-Github-Enterprise-Host` header). That
 * header is not covered by the signature, so a forged one would send the personal access token
 * to any host: hookline follows it only for the hosts allowed here. Returns an error text when
 * the header names a host that is not allowed.
 */
export function resolveGithubApiUrl(
  enterpriseHost: string | undefined,
  options: GithubApiOptions,
): { ok: true; url: string } | { ok: false; message: string } {
  const env = options.env ?? {};
  if (enterpriseHost === undefined || enterpriseHost === "") {
    // An empty variable counts as unset.
    const url = options.apiUrl ?? (env["HOOKLINE_GITHUB_API_URL"] || DEFAULT_GITHUB_API_URL);
    return { ok: true, url: url.replace(/\/+$/, "") };
  }
  const allowed =
    options.enterpriseHosts ?? parseHostList(env["HOOKLINE_GITHUB_ENTERPRISE_HOSTS"] ?? "");
  const host = enterpriseHost.toLowerCase();
  if (!HOST.test(host))
    return { ok: false, message: "X-Github-Enterprise-Host is not a host name" };
  if (allowed !== "*" && !allowed.includes(host))
    return {
      ok: false,
      message: `X-Github-Enterprise-Host ${host} is not listed in HOOKLINE_GITHUB_ENTERPRISE_HOSTS`,
    };
  return { ok: true, url: `https://${host}/api/v3` };
}

function parseHostList(text: string): readonly string[] | "*" {
  if (text.trim() === "*") return "*";
  return text
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
}

/**
 * @octokit/rest is imported only for triggers whose params call the API (addChangedFiles,
 * githubOwners): `preloadGithubClient` starts the import when such params are parsed, at config
 * load, and the first event that calls the API awaits the same promise (settled by then, as a
 * rule). No later event resolves or compiles anything; a config without these params never loads
 * it.
 */
const loadOctokit = lazyPackage(
  "@octokit/rest",
  "the github interceptor's addChangedFiles and githubOwners",
  () => import("@octokit/rest"),
);

/** Starts loading the API client in the background (params that call the API were parsed). */
export function preloadGithubClient(): void {
  // A failure here is reported where it matters, by the first event's createGithubClient.
  loadOctokit().catch(() => undefined);
}

/**
 * An octokit client for one event: the token (if any) goes in `Authorization: token …`, calls
 * stop when the event's deadline aborts `ctx.signal`, and octokit's own log lines go to the
 * interceptor's logger at debug level (they name the method and URL, never the token).
 */
export async function createGithubClient(
  baseUrl: string,
  token: string,
  ctx: InterceptorContext,
  options: GithubApiOptions,
): Promise<Octokit> {
  const { Octokit } = await loadOctokit();
  const debug = (message: string): void => {
    ctx.log.debug(message);
  };
  return new Octokit({
    baseUrl,
    ...(token === "" ? {} : { auth: token }),
    userAgent: "hookline",
    request: {
      signal: ctx.signal,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    },
    log: { debug, info: debug, warn: debug, error: debug },
  });
}

/** The HTTP status of an octokit RequestError, or undefined for any other failure. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null || !("status" in err)) return undefined;
  return typeof err.status === "number" ? err.status : undefined;
}

/**
 * A failed API call, described without the token or a response body: the method, the path and
 * the status (`GET /repos/o/r/pulls/1/files: 404`), or the network error's message.
 */
export function describeApiError(err: unknown, what: string): string {
  const status = httpStatus(err);
  if (status !== undefined) return `${what}: ${status}`;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${what}: ${err.message}${cause}`;
  }
  return `${what}: ${String(err)}`;
}
