import { createHmac, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { createRuntime, type Running } from "../../src/runtime/create-runtime.js";
import { parseSettings } from "../../src/settings/parse-settings.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { fakeIo } from "../support/fake-io.js";
import { EXAMPLE_SECRET, ROOT } from "../support/fixtures.js";

/**
 * A queue group on a laptop, through the real listener, planner, worker and group scheduler:
 * examples/concurrency's deploy trigger (queue, max-running 1). Two signed pushes → the first
 * PipelineRun is written Pending and started (its start file), the second stays Pending; `hookline
 * runs finish` on the first → the second gets its start file.
 */
let out: string;
let running: Running;
const dirOf = (): string => join(out, "ci", "PipelineRun");

async function push(): Promise<void> {
  const body = await readFile(join(ROOT, "examples", "payloads", "github-push.json"));
  const res = await fetch(`http://127.0.0.1:${running.port}/listeners/ci/ci-listener`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  expect(res.status).toBe(202);
}

/** The deploy runs written, oldest first (by their order label). */
async function deploys(): Promise<{ name: string; status: unknown; started: boolean }[]> {
  const files = existsSync(dirOf()) ? await readdir(dirOf()) : [];
  const runs = [];
  for (const f of files) {
    if (!f.startsWith("deploy-") || f.split(".").length !== 2) continue;
    const body = parse(await readFile(join(dirOf(), f), "utf8")) as {
      metadata: { name: string; labels: Record<string, string> };
      spec: { status?: unknown };
    };
    const name = body.metadata.name;
    runs.push({
      name,
      order: body.metadata.labels["hookline.dev/concurrency-order"] ?? "",
      status: body.spec.status,
      started: existsSync(join(dirOf(), `${name}.start.yaml`)),
    });
  }
  return runs
    .sort((a, b) => (a.order < b.order ? -1 : 1))
    .map(({ name, status, started }) => ({ name, status, started }));
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "hookline-queue-"));
  running = await createRuntime(
    parseSettings(
      [
        ...["--config", join(ROOT, "examples", "concurrency"), "--store", "memory", "--out", out],
        ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
      ],
      {},
    ),
    { log: createCapturingLogger().log },
  );
});

afterAll(async () => {
  await running.close();
  await rm(out, { recursive: true, force: true });
});

describe("a queue group on the local sink", () => {
  it("starts the first push's run, holds the second until the first is finished", async () => {
    await push();
    await vi.waitFor(async () => expect((await deploys())[0]?.started).toBe(true), {
      timeout: 10_000,
    });
    await push();
    await vi.waitFor(async () => expect(await deploys()).toHaveLength(2), { timeout: 10_000 });
    const [first, second] = await deploys();
    expect(first).toMatchObject({ status: "PipelineRunPending", started: true });
    expect(second).toMatchObject({ status: "PipelineRunPending", started: false });

    const io = fakeIo();
    const code = await main(
      [
        "runs",
        "finish",
        first!.name,
        "--namespace",
        "ci",
        "--admin",
        `127.0.0.1:${running.adminPort}`,
      ],
      io,
    );
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    expect(io.out()).toContain("finished (Succeeded)");
    await vi.waitFor(async () => expect((await deploys())[1]?.started).toBe(true), {
      timeout: 10_000,
    });
  });
});
