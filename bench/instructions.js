#!/usr/bin/env node
// Instructions per event, counted by valgrind's callgrind: a figure that does not move with the
// machine's load (wall-clock req/s does; see bench/README.md "Instructions per event").
//
//   node bench/instructions.js [--events N] [--against DIR] [--config DIR]
//
// Runs bench/pipeline-driver.js under callgrind twice per build (0 and N signed pushes through
// createApp with the memory journal and the example config, sequentially, in one process) and
// reports (Ir(N) - Ir(0)) / N. --against DIR measures another checkout (built, with node_modules)
// in the same run and prints the ratio. --config DIR: that config instead of the example one (e.g.
// a trigger-scaling config from bench/trigger-config.js). Needs valgrind.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const { values } = parseArgs({
  options: {
    events: { type: "string", default: "400" },
    against: { type: "string" },
    config: { type: "string" },
  },
});
const events = Number(values.events);
if (!Number.isInteger(events) || events < 1) throw new Error("--events must be a whole number");
if (spawnSync("valgrind", ["--version"]).status !== 0)
  throw new Error("valgrind is not installed (apt-get install valgrind)");

const work = mkdtempSync(join(tmpdir(), "hookline-callgrind-"));
function instructions(root, n) {
  const out = join(work, `cg-${n}-${Math.random().toString(36).slice(2)}.out`);
  const r = spawnSync(
    "valgrind",
    [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      `--callgrind-out-file=${out}`,
      process.execPath,
      "--single-threaded",
      join(BENCH_DIR, "pipeline-driver.js"),
      root,
      String(n),
      ...(values.config === undefined ? [] : [resolve(values.config)]),
    ],
    { env: { ...process.env, HOOKLINE_LOG_LEVEL: "warn" }, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`callgrind run failed:\n${r.stderr.slice(-2000)}`);
  const driver = r.stderr.split("\n").find((l) => l.startsWith("{"));
  if (driver === undefined || JSON.parse(driver).bad !== 0)
    throw new Error(`the driver saw refused pushes: ${driver}`);
  const total = /^summary:\s+(\d+)/m.exec(readFileSync(out, "utf8"))?.[1];
  if (total === undefined) throw new Error("no callgrind summary");
  return Number(total);
}

function perEvent(root) {
  const idle = instructions(root, 0);
  const busy = instructions(root, events);
  return { startup: idle, perEvent: (busy - idle) / events };
}

try {
  const rows = [["this checkout", perEvent(ROOT)]];
  if (values.against !== undefined)
    rows.push([resolve(values.against), perEvent(resolve(values.against))]);
  process.stdout.write(
    `instructions (callgrind Ir), ${events} signed pushes, ${process.env.BENCH_DRIVER_STORE === "sqlite" ? "SQLite" : "memory"} journal\n`,
  );
  for (const [name, r] of rows)
    process.stdout.write(
      `  ${name}: ${(r.perEvent / 1e6).toFixed(3)} M per event; start-up ${(r.startup / 1e9).toFixed(3)} G\n`,
    );
  if (rows.length === 2)
    process.stdout.write(
      `  ratio this / against: ${(rows[0][1].perEvent / rows[1][1].perEvent).toFixed(3)}\n`,
    );
} finally {
  rmSync(work, { recursive: true, force: true });
}
