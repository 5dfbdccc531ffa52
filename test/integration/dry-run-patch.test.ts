import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { signPayload } from "../../src/cli/sign-payload.js";
import { EXAMPLE_SECRET, ROOT } from "../support/fixtures.js";

const GOLDEN = join(ROOT, "test/fixtures/dry-run");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const CONFIG = join(ROOT, "examples/argocd-refresh");
const PAYLOAD = join(ROOT, "examples/payloads/github-push.json");

async function dryRun(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    return { code: await main(["dry-run", ...args]), out };
  } finally {
    spy.mockRestore();
  }
}

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

describe("hookline dry-run of a Patch (examples/argocd-refresh)", () => {
  afterEach(() => vi.restoreAllMocks());

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
});
