#!/usr/bin/env node
// hookline hostile bench: what a sender without the secret costs everyone else. One hookline
// (example config, SQLite journal in a temp dir, local sink) is measured twice in the same run:
//   quiet  — signed pushes one after the other, nothing else;
//   flood  — the same signed pushes while FLOOD_REQUESTS bodies of FLOOD_MB MB with a wrong
//            signature arrive, FLOOD_CONCURRENCY at a time.
// Reported: signed p50/p99 in each phase and their ratio, the journal's growth over the flood
// (database + WAL files), the flood's answers by status, and the server's peak RSS.
// See bench/README.md ("hostile"). Run: `node bench/hostile.js` after `npm run build`
// (`npm run bench` runs it after the throughput rows).
import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const HOST = "127.0.0.1";
const SECRET = process.env.BENCH_SECRET ?? "hookline-example-secret";
const FLOOD_REQUESTS = Number(process.env.BENCH_FLOOD_REQUESTS ?? "40");
const FLOOD_CONCURRENCY = Number(process.env.BENCH_FLOOD_CONCURRENCY ?? "8");
const FLOOD_MB = Number(process.env.BENCH_FLOOD_MB ?? "20");
const QUIET_REQUESTS = Number(process.env.BENCH_QUIET_REQUESTS ?? "200");
const TARGET = { floodP99Ms: 1000, journalGrowthMB: 1 };

const push = readFileSync(join(ROOT, "examples/payloads/github-push.json"));
const signature = `sha256=${createHmac("sha256", SECRET).update(push).digest("hex")}`;
// One large JSON object with many keys: the shape that is dear to parse.
const floodBody = (() => {
  const parts = ['{"ref":"refs/heads/main"'];
  let size = parts[0].length;
  for (let i = 0; size < FLOOD_MB * 1024 * 1024 - 32; i++) {
    const part = `,"k${i}":${i}`;
    parts.push(part);
    size += part.length;
  }
  parts.push("}");
  return Buffer.from(parts.join(""));
})();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

function rssKB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

function journalBytes(dir) {
  let total = 0;
  for (const suffix of ["", "-wal", "-shm"]) {
    const file = join(dir, `journal.db${suffix}`);
    if (existsSync(file)) total += statSync(file).size;
  }
  return total;
}

async function signedPush(base) {
  const started = performance.now();
  const res = await request(`${base}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-GitHub-Event": "push",
      "X-GitHub-Delivery": randomUUID(),
      "X-Hub-Signature-256": signature,
    },
    body: push,
  });
  await res.body.dump();
  return { ms: performance.now() - started, status: res.statusCode };
}

async function unsignedFlood(base, statuses) {
  let next = 0;
  const one = async () => {
    while (next < FLOOD_REQUESTS) {
      next++;
      try {
        const res = await request(`${base}/`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": randomUUID(),
            "X-Hub-Signature-256": `sha256=${"0".repeat(64)}`,
          },
          body: floodBody,
        });
        await res.body.dump();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      } catch (err) {
        const key = `error ${err.code ?? err.name}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: FLOOD_CONCURRENCY }, one));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summarise(samples) {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    n: ms.length,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    non2xx: samples.filter((s) => s.status < 200 || s.status > 299).length,
  };
}

export async function runHostileBench(out = process.stdout) {
  if (!existsSync(join(ROOT, "dist/src/cli/main.js")))
    throw new Error("hookline is not built: run `npm run build` (or `npm run bench`)");
  const work = mkdtempSync(
    join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "hookline-hostile-"),
  );
  const port = await freePort();
  const adminPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      "bin/hookline.js",
      "serve",
      "--port",
      String(port),
      "--host",
      HOST,
      "--store",
      join(work, "journal.db"),
      "--out",
      join(work, "out"),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        HOOKLINE_LOG_LEVEL: "warn",
        HOOKLINE_ADMIN_ADDR: `${HOST}:${adminPort}`,
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-4000)));
  const base = `http://${HOST}:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        const res = await request(`${base}/live`);
        await res.body.dump();
        if (res.statusCode === 200) break;
      } catch {
        // not yet listening
      }
      if (i > 200 || child.exitCode !== null) throw new Error(`hookline did not start:\n${stderr}`);
      await sleep(100);
    }
    let peakKB = rssKB(child.pid);
    const poll = setInterval(() => (peakKB = Math.max(peakKB, rssKB(child.pid))), 50);

    const quiet = [];
    for (let i = 0; i < QUIET_REQUESTS; i++) quiet.push(await signedPush(base));
    await sleep(500); // let the worker deliver, so the journal's size settles
    const before = journalBytes(work);

    const statuses = new Map();
    const flood = [];
    let flooding = true;
    const floodDone = unsignedFlood(base, statuses).finally(() => (flooding = false));
    while (flooding) flood.push(await signedPush(base));
    await floodDone;
    await sleep(500);
    const after = journalBytes(work);
    clearInterval(poll);

    const q = summarise(quiet);
    const f = summarise(flood);
    const growthMB = (after - before) / 1024 / 1024;
    const result = {
      flood: {
        requests: FLOOD_REQUESTS,
        concurrency: FLOOD_CONCURRENCY,
        bodyMB: +(floodBody.length / 1024 / 1024).toFixed(1),
        answers: Object.fromEntries(statuses),
      },
      quiet: q,
      duringFlood: f,
      p99Ratio: f.p99 / q.p99,
      journalGrowthMB: growthMB,
      peakRssMB: peakKB / 1024,
    };
    const row = (name, s) =>
      `${name.padEnd(22)} ${String(s.n).padStart(6)} ${s.p50.toFixed(2).padStart(9)} ${s.p99.toFixed(2).padStart(9)} ${String(s.non2xx).padStart(7)}`;
    out.write(
      `\n== hostile: ${FLOOD_REQUESTS} × ${result.flood.bodyMB} MB bodies with a wrong signature, ${FLOOD_CONCURRENCY} at a time (SQLite journal)\n` +
        `${"signed pushes".padEnd(22)} ${"n".padStart(6)} ${"p50 ms".padStart(9)} ${"p99 ms".padStart(9)} ${"non-2xx".padStart(7)}\n` +
        `${row("quiet", q)}\n${row("during the flood", f)}\n` +
        `p99 during flood / quiet: ${result.p99Ratio.toFixed(2)}\n` +
        `flood answers: ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(", ")}\n` +
        `journal growth over the flood: ${growthMB.toFixed(3)} MB; server peak RSS: ${result.peakRssMB.toFixed(1)} MB\n`,
    );
    const problems = [];
    if (f.p99 > TARGET.floodP99Ms)
      problems.push(`signed p99 during the flood ${f.p99.toFixed(0)} ms > ${TARGET.floodP99Ms} ms`);
    if (growthMB > TARGET.journalGrowthMB)
      problems.push(`journal grew ${growthMB.toFixed(1)} MB > ${TARGET.journalGrowthMB} MB`);
    for (const p of problems) out.write(`target missed: ${p}\n`);
    return { ...result, problems };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) =>
      child.exitCode !== null ? resolve() : child.once("exit", resolve),
    );
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runHostileBench();
  // Missed targets are reported; signed pushes that were refused fail the run.
  process.exitCode = result.quiet.non2xx + result.duringFlood.non2xx > 0 ? 1 : 0;
}
