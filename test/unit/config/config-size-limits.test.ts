import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import {
  formatIssue,
  hasDocumentErrors,
  loadConfigDir,
  type ConfigLimits,
} from "../../../src/config/load-config.js";
import type { ConfigIssue } from "../../../src/config/types.js";
import { createReloadCoordinator } from "../../../src/config/reload-coordinator.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { CONFIG_MAX_DIR_BYTES, CONFIG_MAX_FILE_BYTES } from "../../../src/settings/defaults.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { fakeIo } from "../../support/fake-io.js";

const BINDING = (name: string): string =>
  `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: ${name}
spec:
  params:
    - name: revision
      value: $(body.head_commit.id)
`;

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hookline-config-limits-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** A valid file of about `bytes` bytes: a binding and a comment to pad it. */
const padded = (name: string, bytes: number): string => {
  const text = BINDING(name);
  return `${text}# ${"x".repeat(Math.max(0, bytes - text.length - 3))}\n`;
};

const load = (dir: string, limits?: ConfigLimits) =>
  loadConfigDir(dir, {
    registry: createBuiltinRegistry(),
    relativeTo: dir,
    ...(limits === undefined ? {} : { limits }),
  });

const tooLarge = (issues: readonly ConfigIssue[]): ConfigIssue[] =>
  issues.filter((i) => i.code === "HL_CONFIG_TOO_LARGE");

describe("config size limits", () => {
  it("documents 4 MiB a file and 32 MiB a directory", () => {
    expect(CONFIG_MAX_FILE_BYTES).toBe(4 * 1024 * 1024);
    expect(CONFIG_MAX_DIR_BYTES).toBe(32 * 1024 * 1024);
  });

  it("refuses a file over 4 MiB with a document error naming it and the limit; the others load", async () => {
    const dir = await dirWith({
      "a.yaml": BINDING("a"),
      "big.yaml": padded("big", 5 * 1024 * 1024),
    });
    const config = await load(dir);
    expect(hasDocumentErrors(config.issues)).toBe(true);
    expect(tooLarge(config.issues).map(formatIssue)).toEqual([
      "big.yaml:1:1 config file is 5 MiB, over the limit of 4 MiB for one file; split it or trim it",
    ]);
    expect(config.issues.filter((i) => i.severity === "error")).toHaveLength(1);
  });

  it("takes a file of exactly the limit", async () => {
    const dir = await dirWith({ "edge.yaml": padded("edge", 1000) });
    const config = await load(dir, { fileBytes: 1000, dirBytes: 1000 });
    expect(tooLarge(config.issues)).toEqual([]);
    expect(hasDocumentErrors(config.issues)).toBe(false);
  });

  it("refuses a directory whose files together pass its limit, and loads none of them", async () => {
    const dir = await dirWith({
      "a.yaml": padded("a", 900),
      "b.yaml": padded("b", 900),
      "c.yaml": "kind: [unclosed\n", // never parsed: no YAML error is reported
    });
    const config = await load(dir, { fileBytes: 1000, dirBytes: 1500 });
    expect(config.issues.map(formatIssue)).toEqual([
      `${dir}:1:1 the config files under this directory hold 1.8 KiB, over the limit of 1.5 KiB for a config directory; nothing was loaded`,
    ]);
    expect(config.issues[0]?.code).toBe("HL_CONFIG_TOO_LARGE");
  });

  it("hookline validate exits 1 and names the file and the limit", async () => {
    const dir = await dirWith({ "big.yaml": padded("big", 4 * 1024 * 1024 + 1) });
    const io = fakeIo();
    expect(await main(["validate", dir], io)).toBe(1);
    const err = io.err();
    expect(err).toContain(
      `${relative(process.cwd(), join(dir, "big.yaml"))}:1:1 config file is 4194305 bytes, over the limit of 4194304 bytes for one file`,
    );
  });

  it("a reload that meets an oversized file keeps the last good config", async () => {
    const dir = await dirWith({ "a.yaml": BINDING("a") });
    const { log, logs } = createCapturingLogger();
    const applied: unknown[] = [];
    const coordinator = createReloadCoordinator({
      load: () => load(dir),
      apply: (c) => applied.push(c),
      log,
    });
    expect(await coordinator.reload("start")).toBe(true);
    await writeFile(join(dir, "big.yaml"), padded("big", 5 * 1024 * 1024));
    expect(await coordinator.reload("file change")).toBe(false);
    expect(applied).toHaveLength(1);
    expect(logs.entries.map((e) => e["issue"])).toContain(
      "big.yaml:1:1 config file is 5 MiB, over the limit of 4 MiB for one file; split it or trim it",
    );
  });
});
