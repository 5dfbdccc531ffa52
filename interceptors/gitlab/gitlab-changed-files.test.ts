/**
 * The gitlab interceptor's addChangedFiles (hookline's own: Tekton has none) against a fake GitLab
 * API on a real port (test/support/fake-gitlab-api.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type {
  InterceptorContext,
  InterceptorRequest,
  InterceptorResponse,
  SecretRef,
} from "../../src/interceptors/public.js";
import { createCapturingLogger, type MemoryTransport } from "../../test/support/capture-logs.js";
import { createFakeGitlabApi, type FakeGitlabApi } from "../../test/support/fake-gitlab-api.js";
import {
  fakeSecrets,
  makeContext,
  makeRequest,
  type HeaderRecord,
} from "../../test/support/interceptor-harness.js";
import { addGitlabChangedFiles, type GitlabApiOptions } from "./changed-files.js";
import { createGitlabInterceptor, gitlab } from "./index.js";

const PAT = "glpat-fakePersonalAccessToken12345";
const WEBHOOK_TOKEN = "gl-webhook-token";
const PAT_REF: SecretRef = { secretName: "gitlab-token", secretKey: "token" };
const HOOK_REF: SecretRef = { secretName: "gitlab-secret", secretKey: "secretToken" };
const secretValues: Record<string, string> = {
  "default/gitlab-token/token": PAT,
  "default/gitlab-secret/secretToken": WEBHOOK_TOKEN,
};

function makeCtx(): { ctx: InterceptorContext; logs: MemoryTransport } {
  const { log, logs } = createCapturingLogger();
  return { ctx: makeContext({ secrets: fakeSecrets(secretValues), log }), logs };
}

function request(body: unknown, header: HeaderRecord): InterceptorRequest {
  return makeRequest({ body, header: { "Content-Type": ["application/json"], ...header } });
}

const MR = { "X-Gitlab-Event": ["Merge Request Hook"] };
const mergeRequest = (projectId: unknown, iid: unknown, webUrl?: string): unknown => ({
  object_kind: "merge_request",
  project: { id: projectId, ...(webUrl === undefined ? {} : { web_url: webUrl }) },
  object_attributes: { iid, action: "open" },
});
const PATHS_250 = Array.from({ length: 250 }, (_, i) => `src/f${String(i).padStart(3, "0")}.ts`);

let fake: FakeGitlabApi;
beforeAll(async () => {
  fake = await createFakeGitlabApi({
    mergeRequestDiffs: { "15!1": PATHS_250, "15!2": ["README.md", "docs/a.md"] },
  });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.requests.length = 0;
  vi.unstubAllEnvs();
});

async function run(
  params: Record<string, unknown>,
  req: InterceptorRequest,
  options: GitlabApiOptions = { apiUrl: fake.url },
  ctx: InterceptorContext = makeCtx().ctx,
): Promise<InterceptorResponse> {
  return addGitlabChangedFiles(req, gitlab.parseParams(params), ctx, options);
}

describe("gitlab addChangedFiles", () => {
  it("reads every page of the merge request's diffs, 100 a page", async () => {
    const res = await run({ addChangedFiles: { enabled: true } }, request(mergeRequest(15, 1), MR));
    expect(res).toEqual({ continue: true, extensions: { changed_files: PATHS_250.join(",") } });
    expect(fake.requests.map((r) => r.url)).toEqual([
      "/api/v4/projects/15/merge_requests/1/diffs?per_page=100",
      "/api/v4/projects/15/merge_requests/1/diffs?page=2&per_page=100",
      "/api/v4/projects/15/merge_requests/1/diffs?page=3&per_page=100",
    ]);
  });

  it("runs after the X-Gitlab-Token check, through the interceptor, with HOOKLINE_GITLAB_API_URL", async () => {
    // What hookline's settings read from HOOKLINE_GITLAB_API_URL, passed as the interceptor's env.
    const gitlab = createGitlabInterceptor({
      env: { HOOKLINE_GITLAB_API_URL: `${fake.url}/api/v4/` },
    });
    const { ctx, logs } = makeCtx();
    const params = gitlab.parseParams({
      secretRef: HOOK_REF,
      eventTypes: ["Merge Request Hook"],
      addChangedFiles: { enabled: true, personalAccessToken: PAT_REF },
    });
    const res = await gitlab.process(
      request(mergeRequest(15, 2), { ...MR, "X-Gitlab-Token": [WEBHOOK_TOKEN] }),
      params,
      ctx,
    );
    expect(res).toEqual({ continue: true, extensions: { changed_files: "README.md,docs/a.md" } });
    expect(fake.requests.map((r) => r.privateToken)).toEqual([PAT]);
    expect(logs.text()).not.toContain(PAT);
    // A wrong webhook token stops the event before any API call.
    const refused = await gitlab.process(
      request(mergeRequest(15, 2), { ...MR, "X-Gitlab-Token": ["wrong"] }),
      params,
      ctx,
    );
    expect(refused.continue).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it("sends no token when none is configured", async () => {
    await run({ addChangedFiles: { enabled: true } }, request(mergeRequest(15, 2), MR));
    expect(fake.requests.map((r) => r.privateToken)).toEqual([undefined]);
  });

  it.each([
    { name: "disabled", params: { addChangedFiles: { enabled: false } }, header: MR },
    { name: "not configured", params: {}, header: MR },
    {
      name: "a Push Hook",
      params: { addChangedFiles: { enabled: true } },
      header: { "X-Gitlab-Event": ["Push Hook"] },
    },
  ])("lets the event go on untouched when $name", async ({ params, header }) => {
    expect(await run(params, request(mergeRequest(15, 2), header))).toEqual({ continue: true });
    expect(fake.requests).toEqual([]);
  });

  it("defaults the GitLab host to https://<host> of project.web_url", async () => {
    const res = await run(
      { addChangedFiles: { enabled: true } },
      request(mergeRequest(15, 2, "http://gitlab.example.invalid/group/project"), MR),
      { env: {}, queryTimeoutMs: 5_000 },
    );
    expect(res.continue).toBe(false);
    if (!res.continue) expect(res.status.message).toContain("gitlab.example.invalid");
  });

  const rejections: {
    name: string;
    params: Record<string, unknown>;
    body: unknown;
    options?: GitlabApiOptions;
    message: string;
    failure?: "HL_SECRET_NOT_FOUND";
  }[] = [
    {
      name: "an empty personalAccessToken.secretKey",
      params: { addChangedFiles: { enabled: true, personalAccessToken: { secretName: "x" } } },
      body: mergeRequest(15, 2),
      message: "error getting secret: gitlab interceptor personalAccessToken.secretKey is empty",
    },
    {
      name: "a missing token secret",
      params: {
        addChangedFiles: {
          enabled: true,
          personalAccessToken: { secretName: "nope", secretKey: "token" },
        },
      },
      body: mergeRequest(15, 2),
      message: "error getting secret: cannot find token key in secret default/nope",
      failure: "HL_SECRET_NOT_FOUND",
    },
    {
      name: "an empty body",
      params: { addChangedFiles: { enabled: true } },
      body: "",
      message: "error parsing body: body is empty",
    },
    {
      name: "no object_attributes.iid",
      params: { addChangedFiles: { enabled: true } },
      body: mergeRequest(15, undefined),
      message: "error parsing body: Merge Request Hook body missing 'object_attributes.iid' field",
    },
    {
      name: "no project.id",
      params: { addChangedFiles: { enabled: true } },
      body: mergeRequest("15", 2),
      message: "error parsing body: Merge Request Hook body missing 'project.id' field",
    },
    {
      name: "no project.web_url and no HOOKLINE_GITLAB_API_URL",
      params: { addChangedFiles: { enabled: true } },
      body: mergeRequest(15, 2),
      options: { env: {} },
      message: "error parsing body: Merge Request Hook body missing 'project.web_url' field",
    },
    {
      name: "a token, a host from the payload, and no secretRef to vouch for it",
      params: { addChangedFiles: { enabled: true, personalAccessToken: PAT_REF } },
      body: mergeRequest(15, 2, "https://evil.example/x/y"),
      options: { env: {} },
      message:
        "error getting changed files: the GitLab host comes from the payload, which no secretRef verifies; set secretRef or HOOKLINE_GITLAB_API_URL",
    },
    {
      name: "a merge request GitLab does not know",
      params: { addChangedFiles: { enabled: true } },
      body: mergeRequest(15, 99),
      message:
        "error getting changed files: GET /projects/15/merge_requests/99/diffs: 404 Not found",
    },
  ];
  it.each(rejections)("rejects $name", async (c) => {
    const { ctx, logs } = makeCtx();
    const res = await run(c.params, request(c.body, MR), c.options ?? { apiUrl: fake.url }, ctx);
    expect(res).toEqual({
      continue: false,
      status: { code: "FAILED_PRECONDITION", message: c.message },
      ...(c.failure === undefined ? {} : { failure: { code: c.failure } }),
    });
    expect(logs.text()).not.toContain(PAT);
  });

  it("never shows the token when GitLab refuses it", async () => {
    const refusing = await createFakeGitlabApi({ requiredToken: "other" });
    try {
      const { ctx, logs } = makeCtx();
      const res = await run(
        { addChangedFiles: { enabled: true, personalAccessToken: PAT_REF } },
        request(mergeRequest(15, 2), MR),
        { apiUrl: refusing.url },
        ctx,
      );
      expect(res).toEqual({
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message:
            "error getting changed files: GET /projects/15/merge_requests/2/diffs: 401 Unauthorized",
        },
      });
      expect(refusing.requests.map((r) => r.privateToken)).toEqual([PAT]);
      expect(logs.entries.length).toBeGreaterThan(0);
      expect(logs.text()).not.toContain(PAT);
    } finally {
      await refusing.close();
    }
  });
});

describe("gitlab params: secretRefs and addChangedFiles", () => {
  it("parses them", () => {
    expect(
      gitlab.parseParams({
        SecretRefs: [HOOK_REF, { secretName: "old", secretKey: "k" }],
        addChangedFiles: { Enabled: true, personalAccessToken: PAT_REF },
      }),
    ).toEqual({
      secretRefs: [HOOK_REF, { secretName: "old", secretKey: "k" }],
      addChangedFiles: { enabled: true, personalAccessToken: PAT_REF },
    });
  });

  it.each([
    { params: { addChangedFiles: true }, field: "addChangedFiles" },
    { params: { addChangedFiles: { enabled: "yes" } }, field: "addChangedFiles.enabled" },
    { params: { addChangedFiles: { enabled: true, token: "x" } }, field: "addChangedFiles.token" },
    { params: { secretRefs: HOOK_REF }, field: "secretRefs" },
  ])("refuses $field", ({ params, field }) => {
    expect(() => gitlab.parseParams(params)).toThrow(expect.objectContaining({ field }));
  });
});
