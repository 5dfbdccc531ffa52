import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { fakeIo } from "../support/fake-io.js";
import { signPayload } from "../../src/cli/sign-payload.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, ROOT, SHARED_EXAMPLES } from "../support/fixtures.js";
import { exampleDir } from "../support/tekton-example-dir.js";

const GOLDEN = join(ROOT, "test/fixtures/dry-run");
/** `UPDATE_GOLDEN=1 npx vitest run test/integration/dry-run.test.ts` rewrites the golden files. */
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

async function dryRun(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo();
  const code = await main(["dry-run", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** What changes from run to run: ids, uids, and how long things took. */
function normalize(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/durationMs: [\d.]+/g, "durationMs: <ms>");
}

function expectGolden(name: string, text: string): void {
  const path = join(GOLDEN, `${name}.yaml`);
  const normalized = normalize(text);
  if (UPDATE || !existsSync(path)) writeFileSync(path, normalized);
  expect(normalized).toBe(readFileSync(path, "utf8"));
}

describe("hookline dry-run", () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints the decision trace and the PipelineRun for a signed GitHub push (exit 0)", async () => {
    const payload = join(ROOT, "examples/payloads/github-push.json");
    const [signature = ""] = signPayload("github", readFileSync(payload), EXAMPLE_SECRET);
    const { code, out } = await dryRun([
      "--config",
      EXAMPLE_CONFIG,
      "--payload",
      payload,
      "-H",
      "X-GitHub-Event: push",
      "-H",
      signature,
    ]);
    expect(code).toBe(0);
    expectGolden("example-github-push", out);
  });

  it("a --listener that names no EventListener: exit 2, listing those there are with a did-you-mean", async () => {
    const payload = join(ROOT, "examples/payloads/github-push.json");
    const { code, err } = await dryRun([
      ...["--config", EXAMPLE_CONFIG, "--payload", payload, "--listener", "github-listner"],
      ...["-H", "X-GitHub-Event: push"],
    ]);
    expect(code).toBe(2);
    expect(err).toBe(
      'hookline dry-run: --listener "github-listner" names no EventListener; did you mean "github-listener"? (the config\'s EventListener is default/github-listener)\n',
    );
  });

  it("says why nothing fired for a wrong signature (exit 1)", async () => {
    const payload = join(ROOT, "examples/payloads/github-push.json");
    const { code, out } = await dryRun([
      "--config",
      EXAMPLE_CONFIG,
      "--payload",
      payload,
      "-H",
      "X-GitHub-Event: push",
      "-H",
      "X-Hub-Signature-256: sha256=00",
      "--output",
      "json",
    ]);
    expect(code).toBe(1);
    const result = JSON.parse(out) as {
      answer: { status: number };
      triggers: { trigger: string; outcome: string; reason: { message: string } }[];
    };
    expect(result.answer.status).toBe(401);
    expect(result.triggers.find((t) => t.trigger === "github-push")?.reason.message).toBe(
      "payload signature check failed",
    );
  });

  it("takes a captured HTTP request", async () => {
    const body = readFileSync(join(ROOT, "examples/payloads/gitlab-push.json"));
    const file = join(GOLDEN, "..", "..", "..", "test-results", "gitlab-push.http");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(
          `POST /listeners/default/github-listener HTTP/1.1\r\nHost: hookline\r\nContent-Type: application/json\r\nX-Gitlab-Event: Push Hook\r\nX-Gitlab-Token: hookline-example-gitlab-token\r\nContent-Length: ${body.length}\r\n\r\n`,
        ),
        body,
      ]),
    );
    const { code, out } = await dryRun(["--config", EXAMPLE_CONFIG, "--request", file]);
    expect(code).toBe(0);
    expectGolden("example-gitlab-push-request", out);
  });

  it("exits 2 on a config error", async () => {
    const { code } = await dryRun([
      "--config",
      join(ROOT, "test/fixtures/github"),
      "--payload",
      join(ROOT, "examples/payloads/github-push.json"),
    ]);
    expect(code).toBe(2);
  });

  it.skipIf(!existsSync(SHARED_EXAMPLES))(
    "replays Tekton's github example request (../shared/tekton-examples)",
    async () => {
      const folder = join(SHARED_EXAMPLES, "v1beta1/github");
      const curl = readFileSync(join(folder, "curl.sh"), "utf8");
      const body = /-d '([^']*)'/.exec(curl)?.[1] ?? "";
      const { writeFileSync: write, mkdirSync } = await import("node:fs");
      mkdirSync(join(ROOT, "test-results"), { recursive: true });
      const payload = join(ROOT, "test-results", "tekton-github.json");
      write(payload, body);
      const [signature = ""] = signPayload("github", Buffer.from(body), "1234567");
      const { code, out } = await dryRun([
        "--config",
        exampleDir(folder),
        "--payload",
        payload,
        "-H",
        "X-GitHub-Event: pull_request",
        "-H",
        signature,
      ]);
      expect(code).toBe(0);
      expectGolden("tekton-github-pull-request", out);
    },
  );
});
