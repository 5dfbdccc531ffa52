import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasDocumentErrors, loadConfigDir } from "../../../src/config/load-config.js";
import { createInterceptorRegistry } from "../../../src/interceptors/plugins/create-interceptor-registry.js";
import { ROOT } from "../../support/fixtures.js";

/**
 * A lint of deploy/Dockerfile without a Docker engine (none runs here, and hadolint is in no
 * registry): it parses, every instruction is known, and it keeps the promises the deployment
 * relies on (multi-stage, production output only, non-root, HEALTHCHECK, exec form).
 */

interface Instruction {
  line: number;
  op: string;
  args: string;
}

const DOCKERFILE = join(ROOT, "deploy", "Dockerfile");
const KNOWN = new Set([
  "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
  "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
]); // prettier-ignore

/** Instructions with their continuation lines joined; comments and blank lines dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === undefined && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    if (pending !== undefined && line.trimStart().startsWith("#")) return;
    const continued = line.endsWith("\\");
    const piece = continued ? line.slice(0, -1) : line;
    pending =
      pending === undefined
        ? { line: i + 1, text: piece }
        : { ...pending, text: `${pending.text} ${piece.trim()}` };
    if (continued) return;
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(pending.text);
    if (m === null) throw new Error(`Dockerfile:${pending.line}: cannot parse "${pending.text}"`);
    out.push({ line: pending.line, op: (m[1] ?? "").toUpperCase(), args: (m[2] ?? "").trim() });
    pending = undefined;
  });
  if (pending !== undefined) throw new Error("Dockerfile ends inside a continued line");
  return out;
}

/** The stages: each FROM starts one. */
function stagesOf(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const ins of instructions) {
    if (ins.op === "FROM") stages.push([]);
    stages.at(-1)?.push(ins);
  }
  return stages;
}

const text = readFileSync(DOCKERFILE, "utf8");
const instructions = parseDockerfile(text);
const stages = stagesOf(instructions);
const final = stages.at(-1) ?? [];
const build = stages[0] ?? [];

describe("deploy/Dockerfile", () => {
  it("parses, with known instructions only, ARG before the first FROM", () => {
    for (const ins of instructions) expect(KNOWN, `line ${ins.line}: ${ins.op}`).toContain(ins.op);
    const firstFrom = instructions.findIndex((i) => i.op === "FROM");
    expect(instructions.slice(0, firstFrom).every((i) => i.op === "ARG")).toBe(true);
  });

  it("is multi-stage on Node 20 slim: build first, then a runtime stage", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/ARG NODE_IMAGE=node:20-[a-z]+-slim/);
    expect(build[0]?.args).toMatch(/ AS build$/i);
    expect(final[0]?.args).toBe("${NODE_IMAGE}");
  });

  it("builds before pruning the dev dependencies", () => {
    const runs = build
      .filter((i) => i.op === "RUN")
      .map((i) => i.args)
      .join("\n");
    expect(runs).toMatch(/npm ci/);
    const compile = runs.indexOf("npm run build");
    const prune = runs.indexOf("npm prune --omit=dev");
    expect(compile).toBeGreaterThan(-1);
    expect(prune).toBeGreaterThan(compile);
  });

  it("copies into the runtime stage only the built output and production dependencies", () => {
    const copies = final.filter((i) => i.op === "COPY" || i.op === "ADD");
    expect(final.some((i) => i.op === "ADD")).toBe(false);
    const fromBuild = copies.filter((c) => c.args.startsWith("--from=build "));
    const sources = fromBuild.map((c) => c.args.split(/\s+/)[1]);
    expect(sources.sort()).toEqual([
      "/app/bin",
      "/app/dist",
      "/app/node_modules",
      "/app/package.json",
    ]);
    for (const c of copies.filter((x) => !x.args.startsWith("--from="))) {
      expect(c.args).toMatch(/^deploy\/healthcheck\.mjs /);
    }
    expect(final.some((i) => i.op === "RUN" && /npm (ci|install)/.test(i.args))).toBe(false);
  });

  it("runs as a non-root user, by number", () => {
    const users = final.filter((i) => i.op === "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)?.args ?? "";
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(user.split(":")[0]).not.toBe("0");
  });

  it("has a HEALTHCHECK and exec-form ENTRYPOINT/CMD that serve the mounted config", () => {
    const health = final.find((i) => i.op === "HEALTHCHECK");
    expect(health?.args).toMatch(/CMD \["node", "deploy\/healthcheck\.mjs"\]/);
    const entrypoint = JSON.parse(
      final.find((i) => i.op === "ENTRYPOINT")?.args ?? "null",
    ) as unknown;
    expect(entrypoint).toEqual(["node", "bin/hookline.js"]);
    const cmd = JSON.parse(final.find((i) => i.op === "CMD")?.args ?? "null") as string[];
    expect(cmd.slice(0, 3)).toEqual(["serve", "--config", "/etc/hookline/config"]);
  });

  it("keeps data on a volume, so the root filesystem can be read-only", () => {
    expect(final.find((i) => i.op === "VOLUME")?.args).toContain("/var/lib/hookline");
    expect(final.find((i) => i.op === "ENV")?.args).toMatch(
      /HOOKLINE_STORE=\/var\/lib\/hookline\//,
    );
  });

  it("copies only paths that exist and that the .dockerignore keeps", () => {
    const ignore = readFileSync(join(ROOT, "deploy", "Dockerfile.dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    for (const c of instructions.filter((i) => i.op === "COPY" && !i.args.startsWith("--from="))) {
      const parts = c.args.split(/\s+/);
      for (const src of parts.slice(0, -1)) {
        expect(existsSync(join(ROOT, src)), src).toBe(true);
        expect(ignore, src).not.toContain(src.split("/")[0]);
      }
    }
  });
});

describe("deploy/base/config", () => {
  it("is a config hookline serves without errors or warnings", async () => {
    const registry = await createInterceptorRegistry(undefined);
    const config = await loadConfigDir(join(ROOT, "deploy", "base", "config"), { registry });
    expect(hasDocumentErrors(config.issues)).toBe(false);
    expect(config.issues.filter((i) => i.severity !== "note")).toEqual([]);
    expect(config.listeners.map((l) => `${l.namespace}/${l.name}`)).toEqual([
      "hookline/github-listener",
    ]);
  });
});
