#!/usr/bin/env node
// hookline throughput bench: a bare node:http BASELINE against HOOKLINE on the example config,
// on loopback, at 1 and 100 connections. See bench/README.md.
//
//   npm run bench                      (builds first; 10 s per measurement)
//   BENCH_DURATION=5 npm run bench     (or: node bench/run.js --duration 5)
//
// Options: --duration N (s, default 10, env BENCH_DURATION), --warmup N (s, env BENCH_WARMUP),
//          --generator wrk|autocannon (env BENCH_GENERATOR; default: wrk when installed).
import { spawn, spawnSync } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const HOST = "127.0.0.1";
// The example listener's webhook secret (examples/config/secret.yaml); BENCH_SECRET overrides it.
const SECRET = process.env.BENCH_SECRET ?? "hookline-example-secret";
const PAYLOAD_FILE = join(ROOT, "examples/payloads/github-push.json");
const CONNECTIONS = [1, 100];
const WARMUP_CONNECTIONS = 10;
const RSS_POLL_MS = 100;
/** Correctness gate: non-2xx answers and socket errors, as a share of all answers. */
const MAX_BAD_SHARE = 0.001;
const TARGET = { ratioAt100: 0.25, p99MsAt100: 50 };

// ---------------------------------------------------------------- options

const { values: opts } = parseArgs({
  options: {
    duration: { type: "string" },
    warmup: { type: "string" },
    generator: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (opts.help) {
  process.stdout.write(
    "usage: node bench/run.js [--duration N] [--warmup N] [--generator wrk|autocannon]\n",
  );
  process.exit(0);
}
const duration = positiveInt(opts.duration ?? process.env.BENCH_DURATION ?? "10", "duration");
const warmup = positiveInt(
  opts.warmup ??
    process.env.BENCH_WARMUP ??
    String(Math.min(3, Math.max(1, Math.round(duration / 5)))),
  "warmup",
);

function positiveInt(text, name) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 3600) {
    process.stderr.write(
      `bench: --${name} must be a whole number of seconds (1..3600), got "${text}"\n`,
    );
    process.exit(2);
  }
  return n;
}

// ---------------------------------------------------------------- cleanup, even on errors

/** @type {Set<import("node:child_process").ChildProcess>} */
const children = new Set();
const tempDirs = new Set();

function killAllSync() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.on("exit", killAllSync);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping servers and removing temp dirs\n`);
    killAllSync();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

async function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- environment

function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

const cores = availableParallelism();
const pinning =
  has("taskset") &&
  cores >= 2 &&
  ["0", "1"].every(
    (c) => spawnSync("taskset", ["-c", c, "true"], { stdio: "ignore" }).status === 0,
  );
const SERVER_CORE = 0;
const LOAD_CORE = 1;
if (pinning) {
  // Keep this orchestrator (RSS polling, bookkeeping) off the server's core too.
  spawnSync("taskset", ["-a", "-p", "-c", String(LOAD_CORE), String(process.pid)], {
    stdio: "ignore",
  });
}

function pinned(core, cmd, args) {
  return pinning ? ["taskset", ["-c", String(core), cmd, ...args]] : [cmd, args];
}

const wanted = opts.generator ?? process.env.BENCH_GENERATOR;
if (wanted !== undefined && wanted !== "wrk" && wanted !== "autocannon") {
  process.stderr.write(`bench: --generator must be wrk or autocannon, got "${wanted}"\n`);
  process.exit(2);
}
const generator = wanted ?? (has("wrk") ? "wrk" : "autocannon");
if (generator === "wrk" && !has("wrk")) {
  process.stderr.write(
    "bench: wrk is not installed (apt-get install wrk), use --generator autocannon\n",
  );
  process.exit(2);
}
const generatorVersion =
  generator === "wrk"
    ? firstLine(spawnSync("wrk", ["-v"], { encoding: "utf8" }))
    : `autocannon ${readJSON(join(ROOT, "node_modules/autocannon/package.json")).version}`;

function firstLine(r) {
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n")[0].trim();
}
function readJSON(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

const body = readFileSync(PAYLOAD_FILE);
const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

// ---------------------------------------------------------------- servers

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startServer(name, args, env) {
  const port = await freePort();
  const [cmd, argv] = pinned(SERVER_CORE, process.execPath, args(port));
  const child = track(
    spawn(cmd, argv, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  const log = { lines: 0, tail: [] };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        log.lines++;
        log.tail.push(line);
        if (log.tail.length > 20) log.tail.shift();
      }
    });
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${name} exited before it was ready (code ${child.exitCode}, signal ${child.signalCode}):\n${log.tail.join("\n")}`,
      );
    }
    try {
      const res = await fetch(`http://${HOST}:${port}/live`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${name} did not answer GET /live within 20 s:\n${log.tail.join("\n")}`);
    await sleep(100);
  }
  // `taskset` execs the command, so the pid is the server's own (check: its comm is node).
  const comm = readFileSync(`/proc/${child.pid}/comm`, "utf8").trim();
  if (!comm.startsWith("node")) throw new Error(`${name}: pid ${child.pid} is "${comm}", not node`);
  // A startup banner at info level is fine; count only what the load produces.
  log.linesAtReady = log.lines;
  return { name, child, port, pid: child.pid, log };
}

/** One signed request before any load: a wrong signature (401) or route fails the bench here. */
async function probe(server) {
  const res = await fetch(`http://${HOST}:${server.port}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-GitHub-Event": "push",
      "X-GitHub-Delivery": randomUUID(),
      "X-Hub-Signature-256": signature,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 202) {
    const hint =
      res.status === 401
        ? " (401: the signature was refused — is the secret still hookline-example-secret?)"
        : "";
    throw new Error(`${server.name}: a signed push got ${res.status}, not 202${hint}:\n${text}`);
  }
  return text.trim();
}

function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssKB: kb("VmRSS"), hwmKB: kb("VmHWM") };
  } catch {
    return { rssKB: NaN, hwmKB: NaN };
  }
}

const mb = (kb) => Math.round((kb / 1024) * 10) / 10;

// ---------------------------------------------------------------- load

async function runLoad(server, connections, seconds) {
  const url = `http://${HOST}:${server.port}/`;
  const env = {
    ...process.env,
    BENCH_BODY_FILE: PAYLOAD_FILE,
    BENCH_SIGNATURE: signature,
    BENCH_URL: url,
    BENCH_CONNECTIONS: String(connections),
    BENCH_SECONDS: String(seconds),
  };
  const [cmd, argv] =
    generator === "wrk"
      ? pinned(LOAD_CORE, "wrk", [
          "-t1",
          `-c${connections}`,
          `-d${seconds}s`,
          "--timeout",
          "10s",
          "--latency",
          "-s",
          join(BENCH_DIR, "github-push.lua"),
          url,
        ])
      : pinned(LOAD_CORE, process.execPath, [join(BENCH_DIR, "autocannon-worker.js")]);

  const before = memory(server.pid);
  let peakKB = before.rssKB;
  const poll = setInterval(() => {
    const { rssKB } = memory(server.pid);
    if (rssKB > peakKB) peakKB = rssKB;
  }, RSS_POLL_MS);

  const child = track(spawn(cmd, argv, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] }));
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (c) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c) => (out += c));
  // Bounded: the generator stops by itself after `seconds`; if it hangs, it is killed.
  const killer = setTimeout(() => child.kill("SIGKILL"), (seconds + 30) * 1000);
  const [code, sig] = await new Promise((resolve) => child.once("exit", (c, s) => resolve([c, s])));
  clearTimeout(killer);
  clearInterval(poll);
  const after = memory(server.pid);
  if (after.rssKB > peakKB) peakKB = after.rssKB;

  const line = out.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (code !== 0 || line === undefined)
    throw new Error(`${generator} failed (code ${code}, signal ${sig}):\n${out}`);
  const r = JSON.parse(line.slice("BENCH_JSON ".length));
  const seconds_ = r.duration_us / 1e6;
  // wrk counts answers with a status above 399 as errors.status; autocannon counts non-2xx.
  const non2xx = generator === "wrk" ? r.errors.status : r.non2xx;
  const errors =
    generator === "wrk"
      ? r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout
      : r.errors.other + r.errors.timeout;
  return {
    connections,
    seconds: Math.round(seconds_ * 100) / 100,
    requests: r.requests,
    ok: r.requests - non2xx,
    rps: Math.round((r.requests / seconds_) * 10) / 10,
    p50Ms: Math.round(r.latency_us.p50) / 1000,
    p90Ms: Math.round(r.latency_us.p90) / 1000,
    p99Ms: Math.round(r.latency_us.p99) / 1000,
    maxMs: Math.round(r.latency_us.max) / 1000,
    non2xx,
    errors,
    errorDetail: r.errors,
    rssBeforeMB: mb(before.rssKB),
    rssAfterMB: mb(after.rssKB),
    peakRssMB: mb(peakKB),
    hwmMB: mb(after.hwmKB),
  };
}

function countFiles(dir) {
  let n = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile() && e.name.endsWith(".yaml") && !e.name.startsWith(".")) n++;
    }
  };
  if (existsSync(dir)) walk(dir);
  return n;
}

// ---------------------------------------------------------------- one server

async function measure(name, args, env, outDir) {
  process.stdout.write(`\n== ${name}\n`);
  const server = await startServer(name, args, env);
  try {
    const reply = await probe(server);
    process.stdout.write(
      `   pid ${server.pid} on ${HOST}:${server.port}; signed probe -> 202 ${reply.slice(0, 100)}\n`,
    );
    process.stdout.write(`   warmup ${warmup}s @ ${WARMUP_CONNECTIONS} connections ...\n`);
    const warm = await runLoad(server, WARMUP_CONNECTIONS, warmup);
    const runs = [];
    for (const c of CONNECTIONS) {
      process.stdout.write(`   ${duration}s @ ${c} connection${c === 1 ? "" : "s"} ...`);
      const r = await runLoad(server, c, duration);
      process.stdout.write(
        ` ${r.rps} req/s, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}, errors ${r.errors}\n`,
      );
      runs.push(r);
    }
    const result = {
      pid: server.pid,
      warmup: {
        seconds: warm.seconds,
        requests: warm.requests,
        non2xx: warm.non2xx,
        errors: warm.errors,
      },
      runs,
      rssAtEndMB: runs.at(-1).rssAfterMB,
      hwmMB: runs.at(-1).hwmMB,
      logLinesDuringLoad: server.log.lines - server.log.linesAtReady,
      logTail: server.log.tail.slice(-5),
    };
    await stopChild(server.child);
    if (outDir !== undefined) {
      result.accepted = 1 + warm.ok + runs.reduce((s, r) => s + r.ok, 0);
      result.filesWritten = countFiles(outDir);
      process.stdout.write(
        `   out dir: ${result.filesWritten} resource files written for ${result.accepted} accepted requests (probe + warmup + runs)\n`,
      );
    }
    return result;
  } finally {
    await stopChild(server.child);
  }
}

// ---------------------------------------------------------------- report

function table(results) {
  const header = [
    "server",
    "conns",
    "req/s",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "errors",
    "peak RSS MB",
    "VmHWM MB",
  ];
  const rows = [];
  for (const [name, res] of Object.entries(results)) {
    for (const r of res.runs) {
      rows.push(
        [
          name,
          r.connections,
          r.rps.toFixed(1),
          r.p50Ms.toFixed(2),
          r.p99Ms.toFixed(2),
          r.non2xx,
          r.errors,
          r.peakRssMB.toFixed(1),
          r.hwmMB.toFixed(1),
        ].map(String),
      );
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n");
}

async function main() {
  const cpuModel = cpus()[0]?.model ?? "unknown";
  process.stdout.write(
    `hookline bench — ${new Date().toISOString()}\n` +
      `machine: ${cores} cpu(s), ${cpuModel}; node ${process.version}\n` +
      `load generator: ${generator} (${generatorVersion})\n` +
      `pinning: ${pinning ? `yes (taskset: server on core ${SERVER_CORE}, load generator on core ${LOAD_CORE})` : "no (taskset missing or fewer than 2 cpus)"}\n` +
      `payload: ${relative(ROOT, PAYLOAD_FILE)} (${body.length} bytes), ${duration}s per measurement, ${warmup}s warmup\n`,
  );
  if (!existsSync(join(ROOT, "dist/src/cli/main.js")))
    throw new Error("hookline is not built: run `npm run build` (or `npm run bench`)");

  const results = {};
  results.baseline = await measure(
    "baseline",
    (port) => [join(BENCH_DIR, "baseline-server.js"), "--port", String(port), "--host", HOST],
    {},
  );

  // Where the local sink writes. By default a tmpfs (/dev/shm) when there is one, so that the
  // figures measure hookline rather than the disk: on the machine these figures come from, one
  // file creation costs ~0.04 ms on ext4 in steady state, ~0.35 ms for a while after a large
  // delete (online discard), and ~0.8 ms under /tmp. BENCH_OUT_DIR=DIR measures a disk instead.
  const outParent =
    process.env.BENCH_OUT_DIR ??
    (existsSync("/dev/shm") ? "/dev/shm" : join(ROOT, "bench", "results"));
  mkdirSync(outParent, { recursive: true });
  const outDir = mkdtempSync(join(outParent, "hookline-bench-out-"));
  process.stdout.write(`   sink out dir: ${outDir}\n`);
  tempDirs.add(outDir);
  try {
    results.hookline = await measure(
      "hookline",
      (port) => [
        join(ROOT, "bin/hookline.js"),
        "serve",
        "--config",
        join(ROOT, "examples/config"),
        "--host",
        HOST,
        "--port",
        String(port),
        "--out",
        outDir,
      ],
      { HOOKLINE_LOG_LEVEL: "warn" },
      outDir,
    );
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    tempDirs.delete(outDir);
  }

  const ratios = {};
  for (const [i, c] of CONNECTIONS.entries()) {
    ratios[c] =
      Math.round((results.hookline.runs[i].rps / results.baseline.runs[i].rps) * 1000) / 1000;
  }
  const h100 = results.hookline.runs[CONNECTIONS.indexOf(100)];
  const target = {
    ...TARGET,
    ratioMet: ratios[100] >= TARGET.ratioAt100,
    p99Met: h100.p99Ms <= TARGET.p99MsAt100,
  };

  // Correctness checks: these fail the run (exit code 1); missing the target only is reported.
  const problems = [];
  for (const [name, res] of Object.entries(results)) {
    for (const r of [...res.runs, { ...res.warmup, connections: `warmup@${WARMUP_CONNECTIONS}` }]) {
      const bad = r.non2xx + r.errors;
      if (bad > Math.max(0, r.requests * MAX_BAD_SHARE))
        problems.push(
          `${name} @ ${r.connections}: ${r.non2xx} non-2xx and ${r.errors} errors in ${r.requests} requests`,
        );
    }
  }
  const hk = results.hookline;
  if (hk.filesWritten === 0) problems.push("hookline wrote no files: the full path did not run");
  else if (hk.filesWritten < hk.accepted * 0.99)
    problems.push(`hookline wrote ${hk.filesWritten} files for ${hk.accepted} accepted requests`);

  process.stdout.write(`\n${table(results)}\n\n`);
  for (const c of CONNECTIONS)
    process.stdout.write(
      `ratio hookline/baseline req/s @ ${String(c).padStart(3)} connection${c === 1 ? " " : "s"}: ${ratios[c].toFixed(3)}\n`,
    );
  process.stdout.write(
    `target @ 100 connections: ratio >= ${TARGET.ratioAt100} -> ${target.ratioMet ? "met" : "NOT met"}; hookline p99 <= ${TARGET.p99MsAt100} ms -> ${target.p99Met ? "met" : "NOT met"} (${h100.p99Ms} ms)\n`,
  );
  process.stdout.write(
    `hookline out dir: ${hk.filesWritten} files written, ${hk.accepted} requests answered 2xx\n`,
  );
  process.stdout.write(
    `hookline memory: RSS ${hk.runs.map((r) => `${r.rssBeforeMB}->${r.rssAfterMB} MB @${r.connections}`).join(", ")}; VmHWM ${hk.hwmMB} MB; ${hk.logLinesDuringLoad} log lines during load\n`,
  );
  if (hk.logLinesDuringLoad > 0)
    process.stdout.write(`hookline log tail:\n  ${hk.logTail.join("\n  ")}\n`);

  const resultsDir = join(BENCH_DIR, "results");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, "latest.json");
  const json = {
    date: new Date().toISOString(),
    machine: {
      cpus: cores,
      cpuModel,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    generator: { name: generator, version: generatorVersion },
    pinning: pinning ? { server: SERVER_CORE, loadGenerator: LOAD_CORE } : false,
    durationSeconds: duration,
    warmupSeconds: warmup,
    payload: { file: relative(ROOT, PAYLOAD_FILE), bytes: body.length },
    results,
    ratios,
    target,
    problems,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`results: ${relative(ROOT, file)}\n`);

  if (problems.length > 0) {
    process.stderr.write(`\nbench FAILED:\n  ${problems.join("\n  ")}\n`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`\nbench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  killAllSync();
}
