import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { signPayload } from "../../src/cli/sign-payload.js";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import { basicAuth, createFakeJenkins } from "../support/fake-jenkins.js";
import { EXAMPLE_SECRET, ROOT } from "../support/fixtures.js";
import { fakeIo } from "../support/fake-io.js";
import { createTestApp } from "../support/test-app.js";

const GOLDEN = join(ROOT, "test/fixtures/dry-run");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const EXAMPLE = join(ROOT, "examples/tekton-argocd-jenkins");
const PAYLOAD = join(ROOT, "examples/payloads/github-push.json");

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo(env);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function normalize(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/durationMs: [\d.]+/g, "durationMs: <ms>");
}

function signed(): string[] {
  const [signature = ""] = signPayload("github", readFileSync(PAYLOAD), EXAMPLE_SECRET);
  return ["--payload", PAYLOAD, "-H", "X-GitHub-Event: push", "-H", signature];
}

describe("hookline dry-run and replay of an HTTPRequest (examples/tekton-argocd-jenkins)", () => {
  it("prints the PipelineRun, the Argo CD patch and the Jenkins request for one push (golden)", async () => {
    const { code, out } = await run(["dry-run", "--config", EXAMPLE, ...signed()]);
    expect(code).toBe(0);
    const path = join(GOLDEN, "tekton-argocd-jenkins-push.yaml");
    if (UPDATE || !existsSync(path)) writeFileSync(path, normalize(out));
    expect(normalize(out)).toBe(readFileSync(path, "utf8"));
  });

  it("lists the request with its form rendered and its Secret header as a reference", async () => {
    const { out } = await run(["dry-run", "--config", EXAMPLE, ...signed(), "--output", "json"]);
    const result = JSON.parse(out) as {
      httpRequests: unknown[];
      triggers: { resources: { kind: string }[] }[];
    };
    const payload = JSON.parse(readFileSync(PAYLOAD, "utf8")) as {
      head_commit: { id: string };
      repository: { clone_url: string };
    };
    expect(result.httpRequests).toEqual([
      {
        trigger: "push",
        method: "POST",
        url: "http://jenkins.ci.svc:8080/job/legacy-build/buildWithParameters",
        headers: { Authorization: { secretRef: { name: "jenkins-api", key: "authorization" } } },
        body: {
          kind: "form",
          fields: { REVISION: payload.head_commit.id, REPO_URL: payload.repository.clone_url },
        },
        expectedStatuses: [201],
        timeoutMs: 10_000,
      },
    ]);
    expect(result.triggers[0]?.resources.map((r) => r.kind)).toEqual([
      "PipelineRun",
      "Patch",
      "HTTPRequest",
    ]);
    expect(out).not.toContain("Y2ktYm90");
  });

  it("replay sends the request again (a new delivery key) through HOOKLINE_HTTP_ALLOW", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookline-replay-http-"));
    const jenkins = await createFakeJenkins({
      users: [{ name: "ci-bot", password: "pw-not-used", apiToken: "0123456789abcdef0123" }],
      jobs: ["legacy-build"],
    });
    try {
      const config = join(dir, "config");
      mkdirSync(config);
      writeFileSync(
        join(config, "eventlistener.yaml"),
        readFileSync(join(EXAMPLE, "eventlistener.yaml"), "utf8").replace(
          "http://jenkins.ci.svc:8080",
          jenkins.url,
        ),
      );
      writeFileSync(
        join(config, "secret.yaml"),
        readFileSync(join(EXAMPLE, "secret.yaml"), "utf8").split("\n---\n")[0] ?? "",
      );
      mkdirSync(join(dir, "secrets", "jenkins-api"), { recursive: true });
      writeFileSync(
        join(dir, "secrets", "jenkins-api", "authorization"),
        basicAuth("ci-bot", "0123456789abcdef0123"),
      );
      const store = join(dir, "journal.db");
      // Recorded by a listener whose worker never runs: only the replay sends.
      const app = await createTestApp(config, { journal: createSqliteJournal({ path: store }) });
      const body = readFileSync(PAYLOAD);
      const [signature = ""] = signPayload("github", body, EXAMPLE_SECRET);
      const [name = "", value = ""] = signature.split(": ");
      const res = await request(app.server)
        .post("/")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set(name, value)
        .send(body.toString());
      const eventId = (res.body as { eventID: string }).eventID;
      await app.close();
      const base = ["replay", eventId, "--config", config, "--store", store];
      const planned = parse((await run([...base, "--dry-run"])).out) as { httpRequests: unknown[] };
      expect(planned.httpRequests).toEqual([
        { method: "POST", url: `${jenkins.url}/job/legacy-build/buildWithParameters` },
      ]);
      expect(jenkins.requests).toEqual([]);
      const replayed = await run(
        [...base, "--out", join(dir, "out"), "--secrets", join(dir, "secrets")],
        { HOOKLINE_HTTP_ALLOW: "127.0.0.1" },
      );
      expect(replayed.code).toBe(0);
      const printed = parse(replayed.out) as { eventID: string; deliveries: unknown[] };
      expect(printed.deliveries).toContainEqual({
        trigger: "push",
        kind: "HTTPRequest",
        method: "POST",
        url: `${jenkins.url}/job/legacy-build/buildWithParameters`,
        state: "delivered",
        status: 201,
      });
      expect(jenkins.builds.map((b) => b.idempotencyKey)).toEqual([`${printed.eventID}.0.2`]);
      expect(replayed.err).not.toContain("0123456789abcdef0123");
    } finally {
      await jenkins.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
