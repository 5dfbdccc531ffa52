#!/usr/bin/env node
// Intake bench (issue 11, "Bound the work in flight"). See bench/README.md.
//
//   npm run build && node bench/intake-bench.js
//
// Rows:
//   json scan        in process: scanJsonLimits (dist/src/core/scan-json-limits.js) against
//                    JSON.parse on a 16.8 MB body with 10^6 keys — what the structure limits
//                    cost against what they save.
//   50 x 20 MB       `hookline serve` (memory journal) gets 50 concurrent 20 MB bodies with a
//                    wrong signature; the server's peak RSS (VmRSS polled every 20 ms, and VmHWM)
//                    and the answers by status. Once with the default body budget (64 MiB, 8
//                    bodies per source), once with the budget off, for comparison. Target: peak
//                    RSS <= 512 MB with the budget on.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const HOST = "127.0.0.1";
const CONCURRENT = 50;
const BODY_MB = 20;
const RSS_TARGET_MB = 512;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `{"k0000000000":1,...}` of `keys` keys, padded with spaces to `bytes` when given. */
function manyKeys(keys, bytes) {
  const parts = new Array(keys);
  for (let i = 0; i < keys; i++) parts[i] = `"k${String(i).padStart(10, "0")}":1`;
  const text = `{${parts.join(",")}}`;
  return Buffer.from(
    bytes === undefined ? text : text + " ".repeat(Math.max(0, bytes - text.length)),
  );
}

/** Median of `runs` timings of `fn`, in ms. */
function median(fn, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

async function jsonScanRow() {
  const { scanJsonLimits, DEFAULT_JSON_LIMITS } = await import(
    pathToFileURL(join(ROOT, "dist/src/core/scan-json-limits.js")).href
  );
  const body = manyKeys(1_000_000, 16_800_000); // the body: 16.8 MB, 10^6 keys
  // Limits it is within, but not by its length alone (that would skip the pass): a whole pass.
  const all = { maxDepth: DEFAULT_JSON_LIMITS.maxDepth, maxItems: body.length - 1 };
  const scanAll = median(() => scanJsonLimits(body, all), 5);
  const scanRefuse = median(() => {
    try {
      scanJsonLimits(body);
    } catch {
      // refused at key 100,001: that is the point
    }
  }, 5);
  const parse = median(() => JSON.parse(body.toString("utf8")), 3);
  // The common case: the example push (7.6 kB), per body.
  const push = readFileSync(join(ROOT, "examples/payloads/github-push.json"));
  const perPush = (fn) =>
    (median(() => {
      for (let i = 0; i < 2000; i++) fn();
    }, 7) /
      2000) *
    1000;
  const pushScanUs = perPush(() => scanJsonLimits(push));
  const pushParseUs = perPush(() => JSON.parse(push.toString("utf8")));
  const row = {
    pushScanUs: round(pushScanUs),
    pushParseUs: round(pushParseUs),
    bytes: body.length,
    keys: 1_000_000,
    parseMs: round(parse),
    scanWholeMs: round(scanAll),
    scanRefusingMs: round(scanRefuse),
  };
  process.stdout.write(
    `\n== json scan: ${(body.length / 1e6).toFixed(1)} MB, 10^6 keys\n` +
      `   JSON.parse ${row.parseMs} ms; scan of the whole body ${row.scanWholeMs} ms ` +
      `(${Math.round(parse / scanAll)}x cheaper); scan refusing it at the default limits ` +
      `${row.scanRefusingMs} ms\n` +
      `   example push (${push.length} bytes): scan ${row.pushScanUs} µs, JSON.parse ${row.pushParseUs} µs\n`,
  );
  return row;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssMB: kb("VmRSS") / 1024, hwmMB: kb("VmHWM") / 1024 };
  } catch {
    return { rssMB: NaN, hwmMB: NaN };
  }
}

/** One POST of `body`; resolves with the status, or the socket error's code when none came. */
function post(port, body) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (what) => {
      if (!done) {
        done = true;
        resolve(what);
      }
    };
    const req = request(
      {
        host: HOST,
        port,
        method: "POST",
        path: "/",
        agent: false,
        headers: {
          "Content-Type": "application/json",
          "Content-Length": body.length,
          "X-GitHub-Event": "push",
          "X-Hub-Signature-256": `sha256=${createHmac("sha256", "wrong").update("x").digest("hex")}`,
        },
      },
      (res) => {
        res.resume();
        res.once("end", () => finish(String(res.statusCode)));
        res.once("error", () => finish(String(res.statusCode)));
      },
    );
    req.once("error", (err) => finish(err.code ?? "error"));
    req.end(body);
  });
}

async function floodRow(name, env, body) {
  const port = await freePort();
  const out = mkdtempSync(join(tmpdir(), "hookline-intake-bench-"));
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin/hookline.js"), "serve", "--config", join(ROOT, "examples/config")]
      .concat(["--host", HOST, "--port", String(port), "--out", out, "--store", "memory"])
      .concat(["--admin", "127.0.0.1:0"]),
    { cwd: ROOT, env: { ...process.env, HOOKLINE_LOG_LEVEL: "error", ...env }, stdio: "ignore" },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(`http://${HOST}:${port}/live`);
        await res.arrayBuffer();
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (i > 200) throw new Error(`${name}: hookline did not start`);
      await sleep(100);
    }
    const before = memory(child.pid);
    let peak = before.rssMB;
    const poll = setInterval(() => (peak = Math.max(peak, memory(child.pid).rssMB)), 20);
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => post(port, body)));
    const seconds = (performance.now() - started) / 1000;
    await sleep(500); // what is still being processed after the last answer
    clearInterval(poll);
    const after = memory(child.pid);
    peak = Math.max(peak, after.rssMB);
    const byStatus = {};
    for (const a of answers) byStatus[a] = (byStatus[a] ?? 0) + 1;
    const row = {
      name,
      rssBeforeMB: round(before.rssMB),
      peakRssMB: round(peak),
      hwmMB: round(after.hwmMB),
      seconds: round(seconds),
      answers: byStatus,
    };
    process.stdout.write(
      `   ${name.padEnd(28)} peak RSS ${row.peakRssMB} MB (VmHWM ${row.hwmMB} MB, ${row.rssBeforeMB} MB idle), ` +
        `${row.seconds} s, answers ${JSON.stringify(byStatus)}\n`,
    );
    return row;
  } finally {
    child.kill("SIGKILL");
    rmSync(out, { recursive: true, force: true });
  }
}

const round = (x) => Math.round(x * 10) / 10;

/**
 * Runs the intake rows and prints them; returns { jsonScan, flood }.
 * @example await runIntakeBench()
 */
export async function runIntakeBench() {
  const jsonScan = await jsonScanRow();
  const bytes = BODY_MB * 1_000_000;
  process.stdout.write(
    `\n== ${CONCURRENT} concurrent ${BODY_MB} MB bodies, wrong signature (target: peak RSS <= ${RSS_TARGET_MB} MB with the budget)\n`,
  );
  const bodies = [
    { kind: "1.2M keys", body: manyKeys(1_200_000, bytes) },
    { kind: "one string", body: Buffer.from(`{"a":"${"x".repeat(bytes - 8)}"}`) },
  ];
  const flood = [];
  for (const { kind, body } of bodies) {
    flood.push(await floodRow(`budget on, ${kind}`, {}, body));
    flood.push(
      await floodRow(
        `budget off, ${kind}`,
        { HOOKLINE_BODY_BUDGET: "100GiB", HOOKLINE_BODIES_PER_SOURCE: "0" },
        body,
      ),
    );
  }
  const on = flood.filter((r) => r.name.startsWith("budget on"));
  const worst = Math.max(...on.map((r) => r.peakRssMB));
  process.stdout.write(
    `   target peak RSS <= ${RSS_TARGET_MB} MB with the budget -> ${worst <= RSS_TARGET_MB ? "met" : "NOT met"} (${worst} MB)\n`,
  );
  return { jsonScan, flood };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runIntakeBench();
