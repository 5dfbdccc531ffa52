#!/usr/bin/env node
// Start-up and memory of `hookline serve` (issue 10: start-up with 1,000 triggers <= 1 s, RSS <=
// 150 MB after the 1,000-trigger load), and the time of `hookline --help`. Not part of
// `npm run bench`: a quick look while working on what is loaded at start-up.
//
//   node bench/startup.js [--runs 5] [--load 5] [--triggers 1,1000] [--node-flag F]...
//
// Per config (examples/config, then one N-trigger config per --triggers entry,
// bench/trigger-config.js): the median over --runs starts of the time from the spawn to the
// first 200 of GET /live, then on one more start the memory idle (1 s after /live) and after a
// --load s `wrk -t1 -c50` of the signed push (server on core 0, wrk on core 1 when taskset is
// there): VmRSS, and from the admin port's /metrics the V8 heap used/total (with the committed
// young generation and old space), external memory and the code space. RssAnon/RssFile from
// /proc/<pid>/status split the RSS into the heap and malloc (anon) and the mapped node binary and
// native addons (file).
import { spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { writeTriggerConfig } from "./trigger-config.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const HOST = "127.0.0.1";
const PAYLOAD_FILE = join(ROOT, "examples/payloads/github-push.json");
const SECRET = process.env.BENCH_SECRET ?? "hookline-example-secret";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    load: { type: "string", default: "5" },
    triggers: { type: "string", default: "1000" },
    "node-flag": { type: "string", multiple: true, default: [] },
  },
});
const RUNS = Number(values.runs);
const LOAD_S = Number(values.load);
const NODE_FLAGS = values["node-flag"];
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
const pinning = has("taskset");
const pinned = (core, cmd, argv) =>
  pinning ? ["taskset", ["-c", String(core), cmd, ...argv]] : [cmd, argv];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const body = readFileSync(PAYLOAD_FILE);
const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function status(pid) {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, anon: kb("RssAnon") / 1024, file: kb("RssFile") / 1024 };
}

/** User + system CPU time of a process so far, in ms (less swayed by a busy machine than wall time). */
function cpuTime(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat(5); here counted from the state (field 3).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU time of this process's waited-for children so far (cutime + cstime), in ms. */
function childrenCpu() {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

async function v8Memory(adminPort) {
  const res = await fetch(`http://${HOST}:${adminPort}/metrics`);
  const text = await res.text();
  const metric = (re) => Number(re.exec(text)?.[1] ?? NaN) / 2 ** 20;
  return {
    heapUsed: metric(/^hookline_process_nodejs_heap_size_used_bytes (\S+)/m),
    heapTotal: metric(/^hookline_process_nodejs_heap_size_total_bytes (\S+)/m),
    external: metric(/^hookline_process_nodejs_external_memory_bytes (\S+)/m),
    code: metric(/^hookline_process_nodejs_heap_space_size_used_bytes\{space="code"\} (\S+)/m),
    // The young generation (two semi-spaces, up to 2 x 16 MB in Node 20) and the old space as
    // committed: what of heapTotal each part holds.
    young: metric(/^hookline_process_nodejs_heap_space_size_total_bytes\{space="new"\} (\S+)/m),
    old: metric(/^hookline_process_nodejs_heap_space_size_total_bytes\{space="old"\} (\S+)/m),
  };
}

async function start(config) {
  const dir = mkdtempSync(join(tmpdir(), "hookline-startup-"));
  const port = await freePort();
  const adminPort = await freePort();
  const args = [
    ...NODE_FLAGS,
    join(ROOT, "bin/hookline.js"),
    "serve",
    "--config",
    config,
    "--host",
    HOST,
    "--port",
    String(port),
    "--admin",
    `${HOST}:${adminPort}`,
    "--out",
    join(dir, "out"),
    "--store",
    join(dir, "journal.db"),
  ];
  const [cmd, argv] = pinned(0, process.execPath, args);
  const t0 = performance.now();
  const child = spawn(cmd, argv, {
    env: { ...process.env, HOOKLINE_LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited:\n${stderr}`);
    try {
      const res = await fetch(`http://${HOST}:${port}/live`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  const ms = performance.now() - t0;
  const cpuMs = cpuTime(child.pid);
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  };
  return { ms, cpuMs, child, port, adminPort, stop };
}

function load(port) {
  const [cmd, argv] = pinned(1, "wrk", [
    "-t1",
    "-c50",
    `-d${LOAD_S}s`,
    "-s",
    join(ROOT, "bench/github-push.lua"),
    `http://${HOST}:${port}/`,
  ]);
  const r = spawnSync(cmd, argv, {
    encoding: "utf8",
    env: { ...process.env, BENCH_BODY_FILE: PAYLOAD_FILE, BENCH_SIGNATURE: signature },
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (line === undefined) throw new Error(`wrk failed:\n${r.stdout}${r.stderr}`);
  const j = JSON.parse(line.slice("BENCH_JSON ".length));
  return { rps: j.requests / (j.duration_us / 1e6), non2xx: j.errors.status };
}

const fmt = (m) =>
  `RSS ${m.rss.toFixed(0)} MB (anon ${m.anon.toFixed(0)}, file ${m.file.toFixed(0)}); heap ${m.heapUsed.toFixed(0)}/${m.heapTotal.toFixed(0)} MB (young ${m.young.toFixed(0)}, old ${m.old.toFixed(0)}), external ${m.external.toFixed(0)} MB, code ${m.code.toFixed(1)} MB`;

// --help: the cost of loading the CLI alone.
const help = [];
const helpCpu = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const cpu0 = childrenCpu();
  spawnSync(process.execPath, [...NODE_FLAGS, join(ROOT, "bin/hookline.js"), "--help"], {
    stdio: "ignore",
  });
  help.push(performance.now() - t0);
  helpCpu.push(childrenCpu() - cpu0);
}
process.stdout.write(
  `--help: median ${median(help).toFixed(0)} ms over ${RUNS}, CPU ${median(helpCpu).toFixed(0)} ms\n`,
);

const configs = [{ name: "examples/config", dir: join(ROOT, "examples/config") }];
for (const n of values.triggers.split(",").filter((s) => s !== "")) {
  const dir = mkdtempSync(join(tmpdir(), "hookline-startup-config-"));
  writeTriggerConfig(dir, Number(n));
  configs.push({ name: `${n} triggers`, dir, temp: true });
}
for (const config of configs) {
  const times = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await start(config.dir);
    times.push(s.ms);
    cpu.push(s.cpuMs);
    await s.stop();
  }
  const s = await start(config.dir);
  await sleep(1000);
  const idle = { ...status(s.child.pid), ...(await v8Memory(s.adminPort)) };
  const l = has("wrk") && LOAD_S > 0 ? load(s.port) : undefined;
  const loaded = { ...status(s.child.pid), ...(await v8Memory(s.adminPort)) };
  await s.stop();
  process.stdout.write(
    `${config.name}: start to /live median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(", ")}), CPU ${median(cpu).toFixed(0)} ms\n` +
      `  idle:   ${fmt(idle)}\n` +
      (l === undefined
        ? ""
        : `  after ${LOAD_S} s at 50 connections (${l.rps.toFixed(0)} req/s, ${l.non2xx} non-2xx): ${fmt(loaded)}\n`),
  );
  if (config.temp) rmSync(config.dir, { recursive: true, force: true });
}
