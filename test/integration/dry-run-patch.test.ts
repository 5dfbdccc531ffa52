import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { signPayload } from "../../src/cli/sign-payload.js";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import { EXAMPLE_SECRET, ROOT } from "../support/fixtures.js";
import { fakeIo } from "../support/fake-io.js";
import { createTestApp } from "../support/test-app.js";

const GOLDEN = join(ROOT, "test/fixtures/dry-run");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const CONFIG = join(ROOT, "examples/argocd-refresh");
const PAYLOAD = join(ROOT, "examples/payloads/github-push.json");

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const io = fakeIo();
  const code = await main(args, io);
  return { code, out: io.out() };
}

const dryRun = (args: string[]) => run(["dry-run", ...args]);

function normalize(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/durationMs: [\d.]+/g, "durationMs: <ms>");
}

function args(extra: string[] = []): string[] {
  const [signature = ""] = signPayload("github", readFileSync(PAYLOAD), EXAMPLE_SECRET);
  return [
    "--config",
    CONFIG,
    "--payload",
    PAYLOAD,
    "-H",
    "X-GitHub-Event: push",
    "-H",
    signature,
    ...extra,
  ];
}

describe("hookline dry-run and replay of a Patch (examples/argocd-refresh)", () => {
  it("prints the PipelineRun and the Argo CD refresh patch (golden)", async () => {
    const { code, out } = await dryRun(args());
    expect(code).toBe(0);
    const path = join(GOLDEN, "argocd-refresh-push.yaml");
    if (UPDATE || !existsSync(path)) writeFileSync(path, normalize(out));
    expect(normalize(out)).toBe(readFileSync(path, "utf8"));
  });

  it("lists the patch with its rendered target and type", async () => {
    const { code, out } = await dryRun(args(["--output", "json"]));
    expect(code).toBe(0);
    const result = JSON.parse(out) as {
      patches: { trigger: string; type: string; target: unknown; patch: unknown }[];
      triggers: { resources: { kind: string }[] }[];
    };
    const repo = (
      JSON.parse(readFileSync(PAYLOAD, "utf8")) as { repository: { name: string } }
    ).repository.name.toLowerCase();
    expect(result.patches).toEqual([
      {
        trigger: "push",
        type: "merge",
        target: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          namespace: "argocd",
          name: repo,
        },
        patch: { metadata: { annotations: { "argocd.argoproj.io/refresh": "normal" } } },
      },
    ]);
    expect(result.triggers[0]?.resources.map((r) => r.kind)).toEqual(["PipelineRun", "Patch"]);
  });

  it("replay prints the patch: planned with --dry-run, delivered (local sink) without", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookline-replay-patch-"));
    try {
      const store = join(dir, "journal.db");
      const app = await createTestApp(CONFIG, { journal: createSqliteJournal({ path: store }) });
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
      const base = ["replay", eventId, "--config", CONFIG, "--store", store];
      const planned = parse((await run([...base, "--dry-run"])).out) as { patches: unknown[] };
      const target = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        namespace: "argocd",
        name: "hello-world",
      };
      expect(planned.patches).toEqual([{ type: "merge", target }]);
      const replayed = await run([...base, "--out", join(dir, "out")]);
      expect(replayed.code).toBe(0);
      const printed = parse(replayed.out) as { deliveries: Record<string, unknown>[] };
      expect(printed.deliveries).toContainEqual({
        trigger: "push",
        kind: "Patch",
        type: "merge",
        target: "argoproj.io/v1alpha1 Application argocd/hello-world",
        state: "delivered",
      });
      expect(existsSync(join(dir, "out", "argocd", "Application"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
