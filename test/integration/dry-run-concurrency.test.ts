import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { signPayload } from "../../src/cli/sign-payload.js";
import { EXAMPLE_SECRET, ROOT } from "../support/fixtures.js";
import { fakeIo } from "../support/fake-io.js";

const GOLDEN = join(ROOT, "test/fixtures/dry-run");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const CONFIG = join(ROOT, "examples/concurrency");
const PULL_REQUEST = join(ROOT, "test/fixtures/github/pull_request.opened.json");
const PUSH = join(ROOT, "examples/payloads/github-push.json");

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function normalize(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/\b\d{13}\.<uuid>/g, "<ms>.<uuid>")
    .replace(/durationMs: [\d.]+/g, "durationMs: <ms>");
}

function dryRun(payload: string, event: string, extra: string[] = []) {
  const [signature = ""] = signPayload("github", readFileSync(payload), EXAMPLE_SECRET);
  return run([
    "dry-run",
    "--config",
    CONFIG,
    "--payload",
    payload,
    "-H",
    `X-GitHub-Event: ${event}`,
    "-H",
    signature,
    ...extra,
  ]);
}

interface ConcurrencyView {
  trigger: string;
  outcome: string;
  concurrency?: Record<string, unknown>;
  resources: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> }[];
}

describe("hookline dry-run of concurrency groups (examples/concurrency)", () => {
  it("validates the example", async () => {
    const { code, err } = await run(["validate", CONFIG]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
  });

  it("prints a pull request's group and strategy (golden)", async () => {
    const { code, out } = await dryRun(PULL_REQUEST, "pull_request");
    expect(code).toBe(0);
    const path = join(GOLDEN, "concurrency-pull-request.yaml");
    if (UPDATE || !existsSync(path)) writeFileSync(path, normalize(out));
    expect(normalize(out)).toBe(readFileSync(path, "utf8"));
  });

  it("says a pull request's run cancels the older runs of its PR first (json)", async () => {
    const { code, out } = await dryRun(PULL_REQUEST, "pull_request", ["--output", "json"]);
    expect(code).toBe(0);
    const view = JSON.parse(out) as { triggers: ConcurrencyView[] };
    const pr = view.triggers.find((t) => t.trigger === "pull-request");
    expect(pr?.concurrency).toMatchObject({
      group: "Codertocat/Hello-World#2",
      strategy: "cancel-in-progress",
      cancelsOlder: "running and pending PipelineRuns of the group (spec.status: Cancelled)",
    });
    expect(pr?.concurrency?.["groupId"]).toMatch(/^ci\/[0-9a-f]{40}$/);
    const labels = pr?.resources[0]?.metadata.labels ?? {};
    expect(labels["hookline.dev/concurrency-group-hash"]).toMatch(/^[0-9a-f]{40}$/);
    expect(labels["hookline.dev/concurrency-order"]).toMatch(/^\d{13}\./);
    expect(pr?.resources[0]?.spec["status"]).toBeUndefined();
  });

  it("queues a deploy: created Pending, one at a time, the newest 5 kept (json)", async () => {
    const { code, out } = await dryRun(PUSH, "push", ["--output", "json"]);
    expect(code).toBe(0);
    const view = JSON.parse(out) as { triggers: ConcurrencyView[] };
    const deploy = view.triggers.find((t) => t.trigger === "deploy");
    expect(deploy?.outcome).toBe("fired");
    expect(deploy?.concurrency).toMatchObject({
      group: "deploy-staging",
      strategy: "queue",
      maxRunning: 1,
      maxKeepRuns: 5,
    });
    expect(deploy?.concurrency).not.toHaveProperty("cancelsOlder");
    expect(deploy?.resources[0]?.spec["status"]).toBe("PipelineRunPending");
  });
});
