import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Vitest globalSetup of the `process` project (vitest.config.ts): the process tests run
 * `bin/hookline.js`, that is the build in dist/, so a stale build would test old code. Before
 * they start, this rebuilds dist/ (`tsc -p tsconfig.build.json`, then `scripts/bundle.mjs`, as
 * `npm run build`) when any compiled source is newer than its output or has none, and bundles
 * again when the bundle is older than tsc's output; an up-to-date build is left alone.
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** tsconfig.build.json's `include`; its `exclude` is the tests. */
const SOURCES = ["src", "interceptors"];
const CONFIGS = ["tsconfig.json", "tsconfig.build.json"];

export default function setup(): void {
  const stale = staleOutput();
  if (stale !== undefined) {
    console.log(`process tests: building dist/ (${stale})`);
    execFileSync(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      { cwd: ROOT, stdio: "inherit" },
    );
  }
  // The second step of `npm run build`: the bundle bin/hookline.js runs when it is current.
  if (stale !== undefined || staleBundle()) {
    console.log("process tests: bundling dist/bundle");
    execFileSync(process.execPath, [join(ROOT, "scripts/bundle.mjs")], {
      cwd: ROOT,
      stdio: "inherit",
    });
  }
}

/** True when dist/bundle is missing or older than tsc's output it is made from. */
function staleBundle(): boolean {
  const bundle = join(ROOT, "dist", "bundle", "main.js");
  return (
    !existsSync(bundle) ||
    statSync(bundle).mtimeMs < statSync(join(ROOT, "dist", "src", "cli", "main.js")).mtimeMs
  );
}

/** Why dist/ needs a build (the first reason found), or undefined when it is current. */
export function staleOutput(): string | undefined {
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const file of SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
    const rel = relative(ROOT, file);
    const out = join(ROOT, "dist", rel.replace(/\.ts$/, ".js"));
    if (!existsSync(out)) return `${rel} was never built`;
    const outTime = statSync(out).mtimeMs;
    if (statSync(file).mtimeMs > outTime) return `${rel} changed since the last build`;
    oldestOutput = Math.min(oldestOutput, outTime);
  }
  for (const config of CONFIGS)
    if (statSync(join(ROOT, config)).mtimeMs > oldestOutput)
      return `${config} changed since the last build`;
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") &&
      !entry.name.endsWith(".test.ts") &&
      !entry.name.endsWith(".d.ts")
      ? [path]
      : [];
  });
}
