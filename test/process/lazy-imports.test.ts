import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CONFIG, ROOT } from "../support/fixtures.js";
import {
  EXAMPLE_PUSH,
  githubPushHeaders,
  HOOKLINE_BIN,
  keepAliveAgent,
  postPush,
  removeDir,
  scratchDir,
  startHookline,
  waitFor,
  writtenResources,
} from "../support/process-hookline.js";

/**
 * What each command loads (docs/architecture.md, "What is loaded when"): on the local sink with
 * SQLite, no command loads the Kubernetes client, the OpenTelemetry SDK, pg, the GitHub/GitLab API
 * clients or undici — they are imported only by the settings and configs that use
 * them. Each command runs as a real process (the build in dist/) under
 * test/support/record-module-loads.mjs, which writes down every module URL it resolves.
 */
const RECORDER = pathToFileURL(join(ROOT, "test", "support", "record-module-loads.mjs")).href;

/** Packages no command may load on the local sink with SQLite and no API-calling interceptor. */
const OPTIONAL = [
  "@kubernetes/client-node",
  "@opentelemetry/sdk-trace-base",
  "@opentelemetry/exporter-trace-otlp-http",
  "@opentelemetry/resources",
  "pg",
  "@gitbeaker/rest",
  "@octokit/rest",
  "undici",
];

/** The packages a recorded run loaded (the folder under node_modules of each module URL). */
function packagesIn(file: string): Set<string> {
  const packages = new Set<string>();
  for (const url of readFileSync(file, "utf8").split("\n")) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m?.[1] !== undefined) packages.add(m[1]);
  }
  return packages;
}

function optionalIn(packages: Set<string>): string[] {
  return OPTIONAL.filter((p) => packages.has(p));
}

let dir: string;
let count = 0;

/** Runs `hookline ARGS` under the recorder; the packages it loaded. */
function run(args: readonly string[]): {
  status: number | null;
  output: string;
  packages: Set<string>;
} {
  const record = join(dir, `modules-${++count}.txt`);
  writeFileSync(record, "");
  const r = spawnSync(process.execPath, ["--import", RECORDER, HOOKLINE_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, HOOKLINE_RECORD_MODULES: record, HOOKLINE_LOG_LEVEL: "warn" },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, packages: packagesIn(record) };
}

beforeAll(() => {
  dir = scratchDir();
});
afterAll(() => removeDir(dir));

describe("what a command loads", () => {
  it.each([
    { name: "--help", args: ["--help"] },
    { name: "serve --help", args: ["serve", "--help"] },
    { name: "completion", args: ["completion", "bash"] },
  ])("$name loads no package at all", ({ args }) => {
    const r = run(args);
    expect(r.status, r.output).toBe(0);
    expect([...r.packages]).toEqual([]);
  });

  it("runs hookline's bundle, not tsc's module tree", () => {
    // build-dist.ts (this project's globalSetup) made the bundle current before the tests.
    const record = join(dir, "modules-bundle.txt");
    writeFileSync(record, "");
    const r = spawnSync(process.execPath, ["--import", RECORDER, HOOKLINE_BIN, "--help"], {
      cwd: ROOT,
      env: { ...process.env, HOOKLINE_RECORD_MODULES: record },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const urls = readFileSync(record, "utf8").split("\n");
    expect(urls).toContain(pathToFileURL(join(ROOT, "dist", "bundle", "main.js")).href);
    expect(urls.filter((u) => u.includes("/dist/src/"))).toEqual([]);
  });

  it("sign loads none of the optional packages", () => {
    const payload = join(dir, "payload.json");
    writeFileSync(payload, EXAMPLE_PUSH);
    const r = run(["sign", "--secret", "s", payload]);
    expect(r.status, r.output).toBe(0);
    expect(optionalIn(r.packages)).toEqual([]);
  });

  it("validate loads the config's parser and CEL, and none of the optional packages", () => {
    const r = run(["validate", EXAMPLE_CONFIG]);
    expect(r.status, r.output).toBe(0);
    // The recorder sees packages: the ones the config needs are there.
    expect(r.packages).toContain("yaml");
    expect(r.packages).toContain("@marcbachmann/cel-js");
    expect(optionalIn(r.packages)).toEqual([]);
    // Nor the journal's driver or the admin port's server: validate opens neither.
    expect(r.packages).not.toContain("better-sqlite3");
    expect(r.packages).not.toContain("express");
  });

  it("dry-run of a signed push loads none of the optional packages", () => {
    const headers = githubPushHeaders("lazy-imports-dry-run", EXAMPLE_PUSH);
    const payload = join(dir, "push.json");
    writeFileSync(payload, EXAMPLE_PUSH);
    const r = run([
      "dry-run",
      "--config",
      EXAMPLE_CONFIG,
      "--payload",
      payload,
      ...["X-GitHub-Event", "X-Hub-Signature-256"].flatMap((h) => ["-H", `${h}: ${headers[h]}`]),
    ]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain("PipelineRun");
    expect(optionalIn(r.packages)).toEqual([]);
  });

  it("serve takes a push and delivers it, and replay re-runs it, without the optional packages", async () => {
    const record = join(dir, "modules-serve.txt");
    writeFileSync(record, "");
    const outDir = join(dir, "out");
    const store = join(dir, "journal.db");
    const hookline = await startHookline({
      store,
      outDir,
      env: { NODE_OPTIONS: `--import ${RECORDER}`, HOOKLINE_RECORD_MODULES: record },
    });
    let eventId: string | undefined;
    try {
      const agent = keepAliveAgent(1);
      const answer = await postPush(agent, hookline.port, "lazy-imports-serve");
      agent.destroy();
      expect(answer.status, answer.error).toBe(202);
      eventId = answer.body?.eventID;
      // Delivered: the worker and the local sink ran too.
      await waitFor("the PipelineRun file", () => writtenResources(outDir).length === 1, 15_000);
    } finally {
      await hookline.stop();
    }
    const served = packagesIn(record);
    expect(served).toContain("better-sqlite3");
    expect(served).toContain("express");
    expect(optionalIn(served)).toEqual([]);

    expect(eventId).toBeDefined();
    const replayed = run([
      "replay",
      String(eventId),
      "--config",
      EXAMPLE_CONFIG,
      "--store",
      store,
      "--out",
      outDir,
    ]);
    expect(replayed.status, replayed.output).toBe(0);
    expect(optionalIn(replayed.packages)).toEqual([]);
    // Three processes in a row, under the recorder: more than the default 20 s on a busy machine.
  }, 90_000);

  it("validate of a config whose triggers call the GitHub and GitLab APIs loads their clients", () => {
    const config = join(dir, "api-config");
    cpSync(EXAMPLE_CONFIG, config, { recursive: true });
    const file = join(config, "eventlistener.yaml");
    const addChangedFiles = `
            - name: addChangedFiles
              value:
                enabled: true`;
    const text = readFileSync(file, "utf8")
      .replace('value: ["push"]', `value: ["push"]${addChangedFiles}`)
      .replace('value: ["Merge Request Hook"]', `value: ["Merge Request Hook"]${addChangedFiles}`);
    writeFileSync(file, text);
    const r = run(["validate", config]);
    expect(r.status, r.output).toBe(0);
    // Started at config load, where it is known that a trigger needs them.
    expect(r.packages).toContain("@octokit/rest");
    expect(r.packages).toContain("@gitbeaker/rest");
    expect(optionalIn(r.packages).sort()).toEqual(["@gitbeaker/rest", "@octokit/rest"]);
  });

  it("a package that is not installed is HL_PACKAGE_MISSING, naming it and its use", () => {
    const lazy = pathToFileURL(join(ROOT, "dist", "src", "core", "lazy-package.js")).href;
    const script = `
      const { lazyPackage } = await import(${JSON.stringify(lazy)});
      const load = lazyPackage("hookline-no-such-package", "a test", () => import("hookline-no-such-package"));
      try { await load(); } catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })); }
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const out = JSON.parse(r.stdout) as { code: string; message: string };
    expect(out.code).toBe("HL_PACKAGE_MISSING");
    expect(out.message).toContain('"hookline-no-such-package"');
    expect(out.message).toContain("a test");
  });
});
