import { randomBytes } from "node:crypto";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { checkAnswer } from "../support/openapi-validator.js";
import { basicAuth, createFakeJenkins, type FakeJenkins } from "../support/fake-jenkins.js";
import { createTestAdmin, type TestAdmin } from "../support/test-admin.js";
import { EXAMPLE_SECRET, githubFixture, ROOT, signGithub, wire } from "../support/fixtures.js";
import type { TestAppOptions } from "../support/test-app.js";

const EXAMPLE = join(ROOT, "examples/tekton-argocd-jenkins");
const USER = "ci-bot";
const PASSWORD = "correct-horse-battery-staple";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const undo of cleanup.reverse()) await undo();
  cleanup = [];
});

interface Setup {
  jenkins: FakeJenkins;
  t: TestAdmin;
  token: string;
  /** What the Secret holds: the Authorization value. */
  authorization: string;
}

/**
 * examples/tekton-argocd-jenkins against a fake Jenkins: the example's TriggerTemplate with the
 * Jenkins URL pointed at the fake (and `edit` for the test's own changes), the Authorization
 * header read from a secrets directory laid out like a mounted Secret.
 */
async function setUp(
  options: {
    stallFirst?: { count: number; ms: number };
    secret?: (token: string) => string;
    edit?: (yaml: string) => string;
    app?: TestAppOptions;
  } = {},
): Promise<Setup> {
  const token = randomBytes(17).toString("hex");
  const jenkins = await createFakeJenkins({
    users: [{ name: USER, password: PASSWORD, apiToken: token }],
    jobs: ["legacy-build"],
    ...(options.stallFirst === undefined ? {} : { stallFirst: options.stallFirst }),
  });
  cleanup.push(() => jenkins.close());
  const dir = await mkdtemp(join(tmpdir(), "hookline-jenkins-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const listener = (await readFile(join(EXAMPLE, "eventlistener.yaml"), "utf8")).replace(
    "http://jenkins.ci.svc:8080",
    jenkins.url,
  );
  await mkdir(join(dir, "config"));
  await writeFile(join(dir, "config", "eventlistener.yaml"), (options.edit ?? String)(listener));
  // Only the GitHub secret of the example's secret.yaml: Jenkins' comes from the directory.
  const secretYaml = (await readFile(join(EXAMPLE, "secret.yaml"), "utf8")).split("\n---\n")[0];
  await writeFile(join(dir, "config", "secret.yaml"), secretYaml ?? "");
  const authorization = (options.secret ?? ((t) => basicAuth(USER, t)))(token);
  await mkdir(join(dir, "secrets", "jenkins-api"), { recursive: true });
  await writeFile(join(dir, "secrets", "jenkins-api", "authorization"), `${authorization}\n`);
  const t = await createTestAdmin(join(dir, "config"), {
    secretsDir: join(dir, "secrets"),
    httpAllow: ["127.0.0.1"],
    ...options.app,
  });
  cleanup.push(() => t.app.close());
  return { jenkins, t, token, authorization };
}

async function push(t: TestAdmin): Promise<string> {
  const body = githubFixture("push");
  const res = await request(t.app.server)
    .post("/")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", "push")
    .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
    .send(wire(body));
  expect(res.status).toBe(202);
  const eventId = (res.body as { eventID: string }).eventID;
  await t.app.worker.drain();
  return eventId;
}

interface HttpView {
  method: string;
  url: string;
  state: string;
  deliveryKey: string;
  attempts: { error?: string; retryable?: boolean }[];
  answer: { status: number; body: string; truncated: boolean } | null;
  headers: unknown[];
}

async function httpView(t: TestAdmin, eventId: string): Promise<HttpView | undefined> {
  const res = await request(t.admin).get(`/api/v1/events/${eventId}`);
  expect(
    checkAnswer("/api/v1/events/{id}", "GET", res.status, res.headers["content-type"], res.body),
  ).toEqual([]);
  const triggers = (res.body as { triggers: { delivery: { httpRequests: HttpView[] } }[] })
    .triggers;
  return triggers[0]?.delivery.httpRequests[0];
}

const pushed = JSON.parse(githubFixture("push").toString()) as {
  head_commit: { id: string };
  repository: { clone_url: string };
};

describe("HTTPRequest to a fake Jenkins (examples/tekton-argocd-jenkins)", () => {
  it("starts the job with the rendered parameters, as the API token's user, after the PipelineRun and the patch", async () => {
    const { jenkins, t } = await setUp();
    const eventId = await push(t);
    expect(jenkins.builds).toEqual([
      {
        job: "legacy-build",
        params: { REVISION: pushed.head_commit.id, REPO_URL: pushed.repository.clone_url },
        user: USER,
        idempotencyKey: `${eventId}.0.2`,
        queueId: 1,
      },
    ]);
    const view = await httpView(t, eventId);
    expect(view).toMatchObject({
      method: "POST",
      url: `${jenkins.url}/job/legacy-build/buildWithParameters`,
      state: "delivered",
      deliveryKey: `${eventId}.0.2`,
      answer: { status: 201, body: "", truncated: false },
      headers: [
        {
          name: "Authorization",
          value: null,
          secretRef: { name: "jenkins-api", key: "authorization" },
        },
      ],
    });
    const runs = await t.app.journal.getRuns(eventId);
    expect(runs[0]?.deliveries.map((d) => [d.kind, d.state])).toEqual([
      ["resource", "delivered"],
      ["patch", "delivered"],
      ["http", "delivered"],
    ]);
    const metrics = await request(t.admin).get("/metrics");
    expect(metrics.text).toMatch(
      /hookline_deliveries_total\{kind="HTTPRequest",outcome="delivered"\} 1/,
    );
    expect(metrics.text).not.toMatch(/eventlistener_triggered_resources_total\{kind="HTTPRequest"/);
  });

  it("retries a timed-out attempt the fake had accepted with the same Idempotency-Key (Jenkins ignores it: two builds)", async () => {
    const { jenkins, t } = await setUp({
      stallFirst: { count: 1, ms: 5_000 },
      edit: (y) => y.replace("timeout: 10s", "timeout: 300ms"),
      app: { backoff: { baseMs: 0, capMs: 0 } },
    });
    const eventId = await push(t);
    const keys = jenkins.builds.map((b) => b.idempotencyKey);
    expect(keys).toEqual([`${eventId}.0.2`, `${eventId}.0.2`]);
    const view = await httpView(t, eventId);
    expect(view?.state).toBe("delivered");
    expect(view?.attempts).toEqual([
      expect.objectContaining({
        error: expect.stringMatching(/no answer within 300 ms/) as string,
        retryable: true,
      }),
      expect.not.objectContaining({ error: expect.anything() as unknown }),
    ]);
    expect(view?.answer?.status).toBe(201);
  });

  it("never shows the API token or the Authorization value in the journal, the API, the page or the logs", async () => {
    const { jenkins, t, token, authorization } = await setUp();
    const eventId = await push(t);
    expect(jenkins.builds).toHaveLength(1);
    const event = await t.app.journal.getEvent(eventId);
    const runs = await t.app.journal.getRuns(eventId);
    const api = await request(t.admin).get(`/api/v1/events/${eventId}`);
    const page = await request(t.admin).get(`/ui/events/${eventId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("HTTPRequest");
    expect(page.text).toContain("jenkins-api");
    const encoded = authorization.slice("Basic ".length);
    for (const [where, text] of [
      ["journal", JSON.stringify({ event, runs })],
      ["API", api.text],
      ["page", page.text],
      ["logs", t.app.logs.text()],
    ] as const) {
      expect(text, where).not.toContain(token);
      expect(text, where).not.toContain(encoded);
    }
    expect(t.app.logs.text()).toMatch(/HTTP request answered/);
  });

  it("a password without Jenkins' crumb is refused (403): permanent, dead letter with the status", async () => {
    const { jenkins, t } = await setUp({ secret: () => basicAuth(USER, PASSWORD) });
    const eventId = await push(t);
    expect(jenkins.builds).toEqual([]);
    const view = await httpView(t, eventId);
    expect(view?.state).toBe("dead");
    expect(view?.attempts).toEqual([
      expect.objectContaining({
        error: expect.stringMatching(/answered 403 Forbidden \(expected 201\)/) as string,
        retryable: false,
      }),
    ]);
    expect(view?.answer?.body).toContain("No valid crumb was included in the request");
  });

  it("refuses the loopback Jenkins when it is not allowed (SSRF): dead letter, nothing sent", async () => {
    const { jenkins, t } = await setUp({ app: { httpAllow: undefined } });
    const eventId = await push(t);
    expect(jenkins.requests).toEqual([]);
    const view = await httpView(t, eventId);
    expect(view?.state).toBe("dead");
    expect(view?.attempts[0]?.error).toMatch(/not sent, a loopback address/);
    expect(view?.attempts[0]?.retryable).toBe(false);
  });
});
