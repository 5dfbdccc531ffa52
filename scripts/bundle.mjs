#!/usr/bin/env node
// The second step of `npm run build`: tsc's output (dist/src, dist/interceptors) bundled by esbuild
// into dist/bundle, which `bin/hookline.js` runs. Node 20 loads each of ~330 ES modules on its own
// (resolve, read, compile, link); one file per entry and a few shared chunks start ~20 % faster
// (docs/architecture.md, "What is loaded when").
//
// - Packages stay external: node loads them from node_modules as before, so what a command loads
//   is still visible per package (test/process/lazy-imports.test.ts), and native ones just work.
// - `hookline/sdk` stays tsc's dist/src/interceptors/public.js: a plug-in gets that copy of the
//   SDK, which the core already expects (wrap-plugin.ts reads a ParamError of another copy).
// - The worker threads' files (the YAML reader, the local sink's file writer) are entries at the
//   bundle's root, where the chunks that start them look for them.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(root, "dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    main: "dist/src/cli/main.js",
    "yaml-load-worker": "dist/src/config/yaml-load-worker.js",
    "file-writer-worker": "dist/src/sinks/local/file-writer-worker.js",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunk-[hash]",
  sourcemap: "linked",
  logLevel: "warning",
});
