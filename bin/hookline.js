#!/usr/bin/env node
// The `hookline` command: runs the build that `npm ci` made (the `prepare` script): the bundle
// (dist/bundle, scripts/bundle.mjs), or tsc's output when that is newer (a `tsc` run alone, while
// working) or the bundle is missing.
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
const bundled = new URL("../dist/bundle/main.js", import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  console.error(
    "hookline is not built yet: run `npm ci` (or `npm run build`) in the project first.",
  );
  process.exit(1);
}
const fresh = (bundle, source) => {
  try {
    return statSync(fileURLToPath(bundle)).mtimeMs >= statSync(fileURLToPath(source)).mtimeMs;
  } catch {
    return false;
  }
};
const entry = fresh(bundled, compiled) ? bundled : compiled;
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
