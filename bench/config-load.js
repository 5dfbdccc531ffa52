#!/usr/bin/env node
// How long a big config takes to load and compile, and how long it holds the event loop at once
// (the longest gap between two turns while it loads, as a reload would: big files read off the
// thread). See bench/README.md.
//
//   node bench/config-load.js [N] [--json]   (N triggers, default 5000; needs `npm run build`;
//                                             --json adds a BENCH_JSON line for bench/run.js)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTriggerConfig } from "./trigger-config.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const json = args.includes("--json");
const triggers = Number(args.find((a) => a !== "--json") ?? "5000");
const d = (p) => import(join(ROOT, "dist/src", p));
const { decodeConfigDir } = await d("config/load-config.js");
const { compileConfigInTurns } = await d("config/compile-config.js");
const { createInterceptorRegistry } = await d(
  "interceptors/plugins/create-interceptor-registry.js",
);

const dir = mkdtempSync(join(tmpdir(), "hookline-config-load-"));
try {
  writeTriggerConfig(dir, triggers);
  const registry = await createInterceptorRegistry(undefined);
  // The longest time between two turns of the loop while the config loads.
  let longest = 0;
  let last = performance.now();
  let probing = true;
  const probe = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (probing) setImmediate(probe);
  };
  setImmediate(probe);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const decoded = await decodeConfigDir(dir, { registry, offThread: true });
  const t1 = performance.now();
  const c1 = cpu();
  const compiled = await compileConfigInTurns(decoded);
  const t2 = performance.now();
  const c2 = cpu();
  probing = false;
  const errors = compiled.issues.filter((i) => i.severity === "error");
  if (errors.length > 0) throw new Error(`the config has errors: ${errors[0].message}`);
  const n = compiled.listeners.reduce((s, l) => s + l.triggers.length, 0);
  process.stdout.write(
    `${n} triggers: decode ${Math.round(t1 - t0)} ms (cpu ${Math.round(c1 - c0)} ms), ` +
      `compile ${Math.round(t2 - t1)} ms (cpu ${Math.round(c2 - c1)} ms); ` +
      `longest hold of the event loop ${Math.round(longest)} ms\n`,
  );
  if (json) {
    const figures = {
      triggers: n,
      decodeMs: Math.round(t1 - t0),
      decodeCpuMs: Math.round(c1 - c0),
      compileMs: Math.round(t2 - t1),
      compileCpuMs: Math.round(c2 - c1),
      longestHoldMs: Math.round(longest),
    };
    process.stdout.write(`BENCH_JSON ${JSON.stringify(figures)}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
