import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/create-runtime.js";
import { parseSettings } from "../../src/settings/parse-settings.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { basicAuth, createFakeJenkins } from "../support/fake-jenkins.js";
import { EXAMPLE_SECRET, githubFixture, ROOT, signGithub } from "../support/fixtures.js";

const EXAMPLE = join(ROOT, "examples/tekton-argocd-jenkins");
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const undo of cleanup.reverse()) await undo();
  cleanup = [];
});

/** Waits for `done` (the worker runs on its own), giving up after many tries. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe("serve: HTTPRequest deliveries with HOOKLINE_HTTP_ALLOW and HOOKLINE_SECRETS_DIR", () => {
  it.each([
    { name: "allowed", allow: "127.0.0.1", builds: 1 },
    { name: "not allowed (loopback refused)", allow: "", builds: 0 },
  ])("$name", async ({ allow, builds }) => {
    const token = randomBytes(17).toString("hex");
    const jenkins = await createFakeJenkins({
      users: [{ name: "ci-bot", password: "unused-password", apiToken: token }],
      jobs: ["legacy-build"],
    });
    cleanup.push(() => jenkins.close());
    const dir = await mkdtemp(join(tmpdir(), "hookline-serve-http-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, "config"));
    await writeFile(
      join(dir, "config", "eventlistener.yaml"),
      (await readFile(join(EXAMPLE, "eventlistener.yaml"), "utf8")).replace(
        "http://jenkins.ci.svc:8080",
        jenkins.url,
      ),
    );
    const secrets = await readFile(join(EXAMPLE, "secret.yaml"), "utf8");
    await writeFile(join(dir, "config", "secret.yaml"), secrets.split("\n---\n")[0] ?? "");
    await mkdir(join(dir, "secrets", "jenkins-api"), { recursive: true });
    await writeFile(
      join(dir, "secrets", "jenkins-api", "authorization"),
      basicAuth("ci-bot", token),
    );
    const { log, logs } = createCapturingLogger();
    const running = await createRuntime(
      parseSettings(
        [
          ...["--config", join(dir, "config"), "--store", "memory", "--out", join(dir, "out")],
          ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
        ],
        { HOOKLINE_HTTP_ALLOW: allow, HOOKLINE_SECRETS_DIR: join(dir, "secrets") },
      ),
      { log },
    );
    cleanup.push(() => running.close());
    const body = githubFixture("push");
    const res = await fetch(`http://127.0.0.1:${running.port}/listeners/ci/push-listener`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-Hub-Signature-256": await signGithub(body, EXAMPLE_SECRET),
      },
      body,
    });
    expect(res.status).toBe(202);
    await until(() =>
      logs.text().includes(builds === 1 ? "HTTP request answered" : "delivery failed for good"),
    );
    expect(jenkins.builds).toHaveLength(builds);
    if (builds === 0)
      expect(logs.text()).toMatch(/refused unless its host is in HOOKLINE_HTTP_ALLOW/);
    expect(logs.text()).not.toContain(token);
  });
});
