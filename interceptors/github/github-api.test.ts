/**
 * The github interceptor's GitHub API features, addChangedFiles and githubOwners (TEKTON-SPEC §4.1
 * steps 5 and 6), against a fake GitHub API on a real port (test/support/fake-github-api.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type {
  InterceptorContext,
  InterceptorRequest,
  InterceptorResponse,
  SecretRef,
  StatusCodeName,
} from "../../src/interceptors/public.js";
import { createCapturingLogger, type MemoryTransport } from "../../test/support/capture-logs.js";
import { createFakeGithubApi, type FakeGithubApi } from "../../test/support/fake-github-api.js";
import {
  fakeSecrets,
  makeContext,
  makeRequest,
  type HeaderRecord,
} from "../../test/support/interceptor-harness.js";
import type { GithubApiOptions } from "./github-api.js";
import { createGithubInterceptor } from "./index.js";

const PAT = "ghp_fakePersonalAccessToken1234567890";
const PAT_REF: SecretRef = { secretName: "github-token", secretKey: "token" };
const MISSING_REF: SecretRef = { secretName: "nope", secretKey: "token" };
const secretValues: Record<string, string> = { "default/github-token/token": PAT };

function makeCtx(signal?: AbortSignal): { ctx: InterceptorContext; logs: MemoryTransport } {
  const { log, logs } = createCapturingLogger();
  return { ctx: makeContext({ secrets: fakeSecrets(secretValues), log, signal }), logs };
}

function request(body: unknown, header: HeaderRecord): InterceptorRequest {
  return makeRequest({ body, header: { "Content-Type": ["application/json"], ...header } });
}

const event = (name: string): Record<string, string[]> => ({ "X-Github-Event": [name] });
const REPO = { full_name: "tektoncd/triggers", clone_url: "https://github.com/tektoncd/triggers" };
const FILES_250 = Array.from(
  { length: 250 },
  (_, i) => `pkg/file-${String(i).padStart(3, "0")}.go`,
);
const OWNERS_FILE = "approvers:\n  - Alice\nreviewers:\n  - bob\n";

let fake: FakeGithubApi;
beforeAll(async () => {
  fake = await createFakeGithubApi({
    pullFiles: { "tektoncd/triggers#1503": FILES_250, "tektoncd/triggers#7": ["a.go", "b.go"] },
    publicMembers: { tektoncd: ["orgie"] },
    collaborators: { "tektoncd/triggers": ["collab"] },
    contents: { "tektoncd/triggers:OWNERS": OWNERS_FILE, "tektoncd/dir:OWNERS": ["x", "y"] },
    failures: { "/repos/tektoncd/broken/contents/OWNERS": 500 },
  });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.requests.length = 0;
});

async function run(
  params: Record<string, unknown>,
  req: InterceptorRequest,
  options: GithubApiOptions = {},
  ctx: InterceptorContext = makeCtx().ctx,
): Promise<InterceptorResponse> {
  const github = createGithubInterceptor({ apiUrl: fake.url, env: {}, ...options });
  return github.process(req, github.parseParams(params), ctx);
}

const paths = (): string[] => fake.requests.map((r) => r.url);

interface RejectCase {
  name: string;
  params: Record<string, unknown>;
  header: Record<string, string[]>;
  body: unknown;
  code: StatusCodeName;
  message: string;
  /** Set for a token that cannot be read: the trigger fails with this code. */
  failure?: "HL_SECRET_NOT_FOUND";
  options?: GithubApiOptions;
}

// ------------------------------------------------------------------------------------------------

describe("github addChangedFiles: push (from the payload, no API call)", () => {
  it("joins added, modified and removed of every commit, in order", async () => {
    const body = {
      repository: REPO,
      commits: [
        { added: ["a1", "a2"], modified: ["m1"], removed: ["r1"] },
        { added: [], modified: ["m2"], removed: [] },
      ],
    };
    const res = await run({ addChangedFiles: { enabled: true } }, request(body, event("push")));
    expect(res).toEqual({ continue: true, extensions: { changed_files: "a1,a2,m1,r1,m2" } });
    expect(paths()).toEqual([]);
  });

  it("gives an empty string for a push without commits", async () => {
    const res = await run(
      { addChangedFiles: { enabled: true } },
      request({ repository: REPO }, event("push")),
    );
    expect(res).toEqual({ continue: true, extensions: { changed_files: "" } });
  });

  it("lets other events go on untouched, and skips githubOwners (Tekton's early return)", async () => {
    const params = {
      addChangedFiles: { enabled: true },
      githubOwners: { enabled: true, checkType: "all" },
    };
    expect(await run(params, request({}, event("issue_comment")))).toEqual({ continue: true });
    // A push with both enabled: changed files, and no owners check (which would have rejected:
    // checkType all with no token).
    const res = await run(params, request({ repository: REPO, commits: [] }, event("push")));
    expect(res).toEqual({ continue: true, extensions: { changed_files: "" } });
    expect(paths()).toEqual([]);
  });
});

describe("github addChangedFiles: pull_request (PullRequests.ListFiles)", () => {
  it("reads every page, 100 a page, and joins the file names", async () => {
    const res = await run(
      { addChangedFiles: { enabled: true } },
      request({ action: "opened", number: 1503, repository: REPO }, event("pull_request")),
    );
    expect(res).toEqual({ continue: true, extensions: { changed_files: FILES_250.join(",") } });
    expect(paths()).toEqual([
      "/repos/tektoncd/triggers/pulls/1503/files?per_page=100",
      "/repos/tektoncd/triggers/pulls/1503/files?per_page=100&page=2",
      "/repos/tektoncd/triggers/pulls/1503/files?per_page=100&page=3",
    ]);
    expect(fake.requests.map((r) => r.authorization)).toEqual([undefined, undefined, undefined]);
  });

  it("sends the personal access token from the secret, and never logs or echoes it", async () => {
    const { ctx, logs } = makeCtx();
    const res = await run(
      { addChangedFiles: { enabled: true, personalAccessToken: PAT_REF } },
      request({ number: 7, repository: REPO }, event("pull_request")),
      {},
      ctx,
    );
    expect(res).toEqual({ continue: true, extensions: { changed_files: "a.go,b.go" } });
    expect(fake.requests.map((r) => r.authorization)).toEqual([`token ${PAT}`]);
    expect(logs.text()).not.toContain(PAT);
  });

  it("never shows the token when GitHub refuses it", async () => {
    const refusing = await createFakeGithubApi({ requiredToken: "another-token" });
    try {
      const { ctx, logs } = makeCtx();
      const res = await run(
        { addChangedFiles: { enabled: true, personalAccessToken: PAT_REF } },
        request({ number: 7, repository: REPO }, event("pull_request")),
        { apiUrl: refusing.url },
        ctx,
      );
      expect(res).toEqual({
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message: "error getting changed files: GET /repos/tektoncd/triggers/pulls/7/files: 401",
        },
      });
      expect(refusing.requests[0]?.authorization).toBe(`token ${PAT}`);
      expect(JSON.stringify(res)).not.toContain(PAT);
      expect(logs.entries.length).toBeGreaterThan(0);
      expect(logs.text()).not.toContain(PAT);
    } finally {
      await refusing.close();
    }
  });

  it("calls https://<X-Github-Enterprise-Host>/api/v3 for an allowed GitHub Enterprise host", async () => {
    const seen: string[] = [];
    // The fake speaks plain HTTP: route the https URL octokit builds to it, keeping the path.
    const routed: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      seen.push(url);
      return fetch(url.replace("https://ghe.example.com", fake.url), init);
    };
    const res = await run(
      { addChangedFiles: { enabled: true, personalAccessToken: PAT_REF } },
      request(
        { number: 7, repository: REPO },
        {
          ...event("pull_request"),
          "X-Github-Enterprise-Host": ["GHE.example.com"],
        },
      ),
      {
        fetch: routed,
        env: { HOOKLINE_GITHUB_ENTERPRISE_HOSTS: "other.example, ghe.example.com" },
      },
    );
    expect(res).toEqual({ continue: true, extensions: { changed_files: "a.go,b.go" } });
    expect(seen).toEqual([
      "https://ghe.example.com/api/v3/repos/tektoncd/triggers/pulls/7/files?per_page=100",
    ]);
    expect(paths()).toEqual(["/api/v3/repos/tektoncd/triggers/pulls/7/files?per_page=100"]);
    expect(fake.requests[0]?.authorization).toBe(`token ${PAT}`);
  });

  it("reads HOOKLINE_GITHUB_API_URL when no apiUrl is given", async () => {
    const github = createGithubInterceptor({ env: { HOOKLINE_GITHUB_API_URL: `${fake.url}/` } });
    const params = github.parseParams({ addChangedFiles: { enabled: true } });
    const res = await github.process(
      request({ number: 7, repository: REPO }, event("pull_request")),
      params,
      makeCtx().ctx,
    );
    expect(res).toEqual({ continue: true, extensions: { changed_files: "a.go,b.go" } });
  });

  it("stops when the event's deadline aborts the signal", async () => {
    const abort = new AbortController();
    abort.abort();
    const res = await run(
      { addChangedFiles: { enabled: true } },
      request({ number: 7, repository: REPO }, event("pull_request")),
      {},
      makeCtx(abort.signal).ctx,
    );
    expect(res.continue).toBe(false);
    expect(paths()).toEqual([]);
  });
});

const changedFilesRejections: RejectCase[] = [
  {
    name: "an empty personalAccessToken.secretKey (before the body is read)",
    params: { addChangedFiles: { enabled: true, personalAccessToken: { secretName: "s" } } },
    header: event("push"),
    body: "",
    code: "FAILED_PRECONDITION",
    message: "error getting secret: github interceptor githubToken.secretKey is empty",
  },
  {
    name: "a missing token secret",
    params: { addChangedFiles: { enabled: true, personalAccessToken: MISSING_REF } },
    header: event("pull_request"),
    body: { number: 7, repository: REPO },
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find token key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
  },
  {
    name: "an empty body",
    params: { addChangedFiles: { enabled: true } },
    header: event("push"),
    body: "",
    code: "FAILED_PRECONDITION",
    message: "error parsing body: body is empty",
  },
  {
    name: "a pull_request without number",
    params: { addChangedFiles: { enabled: true } },
    header: event("pull_request"),
    body: { repository: REPO },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: pull_request body missing 'number' field",
  },
  {
    name: "no repository",
    params: { addChangedFiles: { enabled: true } },
    header: event("push"),
    body: { commits: [] },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: payload body missing 'repository' field",
  },
  {
    name: "no repository.full_name",
    params: { addChangedFiles: { enabled: true } },
    header: event("pull_request"),
    body: { number: 1, repository: { name: "x" } },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: payload body missing 'repository.full_name' field",
  },
  {
    name: "a full_name without a slash (Tekton panics)",
    params: { addChangedFiles: { enabled: true } },
    header: event("push"),
    body: { repository: { full_name: "triggers" } },
    code: "FAILED_PRECONDITION",
    message:
      "error parsing body: payload body 'repository.full_name' is not of the form owner/name",
  },
  ...(["added", "modified", "removed"] as const).map((field): RejectCase => ({
    name: `a commit without ${field}`,
    params: { addChangedFiles: { enabled: true } },
    header: event("push"),
    body: {
      repository: REPO,
      commits: [{ added: [], modified: [], removed: [], [field]: undefined }],
    },
    code: "FAILED_PRECONDITION",
    message: `error parsing body: payload body missing 'commits.*.${field}' field`,
  })),
  {
    name: "a pull request GitHub does not know (404)",
    params: { addChangedFiles: { enabled: true } },
    header: event("pull_request"),
    body: { number: 99, repository: REPO },
    code: "FAILED_PRECONDITION",
    message: "error getting changed files: GET /repos/tektoncd/triggers/pulls/99/files: 404",
  },
  {
    name: "an Enterprise host that is not allowed (no call is made)",
    params: { addChangedFiles: { enabled: true, personalAccessToken: PAT_REF } },
    header: { ...event("pull_request"), "X-Github-Enterprise-Host": ["evil.example"] },
    body: { number: 7, repository: REPO },
    code: "FAILED_PRECONDITION",
    message:
      "error getting changed files: X-Github-Enterprise-Host evil.example is not listed in HOOKLINE_GITHUB_ENTERPRISE_HOSTS",
  },
  {
    name: "an Enterprise host that is not a host name, even with * allowed",
    params: { addChangedFiles: { enabled: true } },
    header: { ...event("pull_request"), "X-Github-Enterprise-Host": ["evil.example/x?"] },
    body: { number: 7, repository: REPO },
    code: "FAILED_PRECONDITION",
    message: "error getting changed files: X-Github-Enterprise-Host is not a host name",
    options: { enterpriseHosts: "*" },
  },
];

describe("github addChangedFiles: rejections", () => {
  it.each(changedFilesRejections)("$name", async (c) => {
    const { ctx, logs } = makeCtx();
    const res = await run(c.params, request(c.body, c.header), c.options, ctx);
    expect(res).toEqual({
      continue: false,
      status: { code: c.code, message: c.message },
      ...(c.failure === undefined ? {} : { failure: { code: c.failure } }),
    });
    expect(JSON.stringify(res)).not.toContain(PAT);
    expect(logs.text()).not.toContain(PAT);
    if (c.header["X-Github-Enterprise-Host"] !== undefined) expect(paths()).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------

const pr = (login: string | undefined): unknown => ({
  action: "opened",
  number: 1503,
  repository: REPO,
  sender: login === undefined ? {} : { login },
});
const comment = (login: string, body: string): unknown => ({
  action: "created",
  issue: { number: 1503 },
  comment: { body },
  repository: REPO,
  sender: { login },
});

describe("github githubOwners: allowed", () => {
  const cases: {
    name: string;
    checkType?: string;
    token?: boolean;
    eventName: string;
    body: unknown;
    calls: string[];
  }[] = [
    {
      name: "a pull_request from an OWNERS approver, case-insensitively (checkType none, no token)",
      checkType: "none",
      eventName: "pull_request",
      body: pr("alice"),
      calls: ["/repos/tektoncd/triggers/contents/OWNERS"],
    },
    {
      name: "a pull_request from an OWNERS reviewer",
      checkType: "none",
      eventName: "pull_request",
      body: pr("BOB"),
      calls: ["/repos/tektoncd/triggers/contents/OWNERS"],
    },
    {
      name: "a public org member (orgMembers)",
      checkType: "orgMembers",
      token: true,
      eventName: "pull_request",
      body: pr("orgie"),
      calls: ["/orgs/tektoncd/public_members/orgie"],
    },
    {
      name: "a collaborator (repoMembers)",
      checkType: "repoMembers",
      token: true,
      eventName: "pull_request",
      body: pr("collab"),
      calls: ["/repos/tektoncd/triggers/collaborators/collab"],
    },
    {
      name: "a collaborator (all: org first, then repo)",
      checkType: "all",
      token: true,
      eventName: "pull_request",
      body: pr("collab"),
      calls: [
        "/orgs/tektoncd/public_members/collab",
        "/repos/tektoncd/triggers/collaborators/collab",
      ],
    },
    {
      name: "an OWNERS approver when the member checks say no (all)",
      checkType: "all",
      token: true,
      eventName: "pull_request",
      body: pr("alice"),
      calls: [
        "/orgs/tektoncd/public_members/alice",
        "/repos/tektoncd/triggers/collaborators/alice",
        "/repos/tektoncd/triggers/contents/OWNERS",
      ],
    },
    {
      name: "an /ok-to-test comment from an owner",
      checkType: "none",
      eventName: "issue_comment",
      body: comment("alice", "looks fine\r\n/ok-to-test\r\nthanks"),
      calls: ["/repos/tektoncd/triggers/contents/OWNERS"],
    },
    {
      name: "an /ok-to-test comment that is only that",
      checkType: "none",
      eventName: "issue_comment",
      body: comment("bob", "/ok-to-test"),
      calls: ["/repos/tektoncd/triggers/contents/OWNERS"],
    },
    {
      name: "a token and no checkType: only OWNERS is read",
      token: true,
      eventName: "pull_request",
      body: pr("alice"),
      calls: ["/repos/tektoncd/triggers/contents/OWNERS"],
    },
    {
      name: "another event: not checked",
      checkType: "all",
      eventName: "push",
      body: {},
      calls: [],
    },
  ];
  it.each(cases)("$name", async (c) => {
    const { ctx, logs } = makeCtx();
    const res = await run(
      {
        githubOwners: {
          enabled: true,
          ...(c.checkType === undefined ? {} : { checkType: c.checkType }),
          ...(c.token === true ? { personalAccessToken: PAT_REF } : {}),
        },
      },
      request(c.body, event(c.eventName)),
      {},
      ctx,
    );
    expect(res).toEqual({ continue: true });
    expect(paths()).toEqual(c.calls);
    for (const r of fake.requests)
      expect(r.authorization).toBe(c.token === true ? `token ${PAT}` : undefined);
    expect(logs.text()).not.toContain(PAT);
  });
});

const NOT_MET = "owners check requirements not met";
const ownersRejections: RejectCase[] = [
  {
    name: "a pull_request from someone not in OWNERS",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: pr("mallory"),
    code: "FAILED_PRECONDITION",
    message: NOT_MET,
  },
  {
    name: "a pull_request with no sender login (no API call either)",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: pr(undefined),
    code: "FAILED_PRECONDITION",
    message: NOT_MET,
  },
  {
    name: "a comment from an owner without /ok-to-test",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("issue_comment"),
    body: comment("alice", "please /ok-to-test"),
    code: "FAILED_PRECONDITION",
    message: NOT_MET,
  },
  {
    name: "an /ok-to-test comment from someone not allowed",
    params: { githubOwners: { enabled: true, checkType: "all", personalAccessToken: PAT_REF } },
    header: event("issue_comment"),
    body: comment("mallory", "/ok-to-test"),
    code: "FAILED_PRECONDITION",
    message: NOT_MET,
  },
  {
    name: "a repository without OWNERS (404 allows no one)",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: { ...(pr("alice") as object), repository: { full_name: "tektoncd/other" } },
    code: "FAILED_PRECONDITION",
    message: NOT_MET,
  },
  {
    name: "no checkType and no token (Tekton compares with none)",
    params: { githubOwners: { enabled: true } },
    header: event("pull_request"),
    body: pr("alice"),
    code: "FAILED_PRECONDITION",
    message:
      "checkType is set to check org or repo members but no personalAccessToken was supplied",
  },
  {
    name: "repoMembers and no token",
    params: { githubOwners: { enabled: true, checkType: "repoMembers" } },
    header: event("issue_comment"),
    body: comment("alice", "/ok-to-test"),
    code: "FAILED_PRECONDITION",
    message:
      "checkType is set to check org or repo members but no personalAccessToken was supplied",
  },
  {
    name: "an empty personalAccessToken.secretKey",
    params: {
      githubOwners: { enabled: true, checkType: "none", personalAccessToken: { secretName: "s" } },
    },
    header: event("pull_request"),
    body: pr("alice"),
    code: "FAILED_PRECONDITION",
    message:
      "error getting github token: github interceptor personalAccessToken.secretKey is empty",
  },
  {
    name: "a missing token secret",
    params: { githubOwners: { enabled: true, checkType: "all", personalAccessToken: MISSING_REF } },
    header: event("pull_request"),
    body: pr("alice"),
    code: "FAILED_PRECONDITION",
    message: "error getting github token: cannot find token key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
  },
  {
    name: "an empty body",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: "",
    code: "FAILED_PRECONDITION",
    message: "error parsing body: payload body is empty",
  },
  {
    name: "a pull_request without number",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: { repository: REPO, sender: { login: "alice" } },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: pull_request body missing 'number' field",
  },
  {
    name: "an issue_comment without issue",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("issue_comment"),
    body: { comment: { body: "/ok-to-test" }, repository: REPO, sender: { login: "alice" } },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: issue_comment body missing 'issue' section",
  },
  {
    name: "an issue_comment whose issue has no number",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("issue_comment"),
    body: { issue: {}, comment: { body: "x" }, repository: REPO, sender: { login: "a" } },
    code: "FAILED_PRECONDITION",
    message:
      "error parsing body: 'number' field missing in the issue section of issue_comment body",
  },
  {
    name: "an issue_comment without comment",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("issue_comment"),
    body: { issue: { number: 1 }, repository: REPO, sender: { login: "a" } },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: issue_comment body missing 'comment' section",
  },
  {
    name: "an issue_comment whose comment has no body",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("issue_comment"),
    body: { issue: { number: 1 }, comment: {}, repository: REPO, sender: { login: "a" } },
    code: "FAILED_PRECONDITION",
    message:
      "error parsing body: 'body' field missing in the comment section of issue_comment body",
  },
  {
    name: "no repository",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: { number: 1, sender: { login: "a" } },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: payload body missing 'repository' field",
  },
  {
    name: "no sender",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: { number: 1, repository: REPO },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: payload body missing 'sender' field",
  },
  {
    name: "OWNERS is a directory",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: { ...(pr("alice") as object), repository: { full_name: "tektoncd/dir" } },
    code: "FAILED_PRECONDITION",
    message:
      "error checking owner verification: referenced file inside the Github Repository OWNERS is a directory",
  },
  {
    name: "GitHub failing (500)",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: event("pull_request"),
    body: { ...(pr("alice") as object), repository: { full_name: "tektoncd/broken" } },
    code: "FAILED_PRECONDITION",
    message: "error checking owner verification: GET /repos/tektoncd/broken/contents/OWNERS: 500",
  },
  {
    name: "an Enterprise host that is not allowed",
    params: { githubOwners: { enabled: true, checkType: "none" } },
    header: { ...event("pull_request"), "X-Github-Enterprise-Host": ["ghe.example.com"] },
    body: pr("alice"),
    code: "FAILED_PRECONDITION",
    message:
      "error making client: X-Github-Enterprise-Host ghe.example.com is not listed in HOOKLINE_GITHUB_ENTERPRISE_HOSTS",
  },
];

describe("github githubOwners: rejections", () => {
  it.each(ownersRejections)("$name", async (c) => {
    const { ctx, logs } = makeCtx();
    const res = await run(c.params, request(c.body, c.header), c.options, ctx);
    expect(res).toEqual({
      continue: false,
      status: { code: c.code, message: c.message },
      ...(c.failure === undefined ? {} : { failure: { code: c.failure } }),
    });
    expect(JSON.stringify(res)).not.toContain(PAT);
    expect(logs.text()).not.toContain(PAT);
  });

  it("never calls the API without a sender", async () => {
    await run(
      { githubOwners: { enabled: true, checkType: "all", personalAccessToken: PAT_REF } },
      request(pr(""), event("pull_request")),
    );
    expect(paths()).toEqual([]);
  });
});
