#!/usr/bin/env node
// CEL micro-bench: evaluations per second of the example github trigger's cel interceptor
// (examples/config/eventlistener.yaml, trigger github-push) on examples/payloads/github-push.json,
// in process, through the built interceptor objects in dist/. See bench/README.md.
//
//   npm run build && node bench/cel-bench.js        (about 2 s per row)
//   BENCH_CEL_MS=5000 node bench/cel-bench.js       (milliseconds per row)
//
// Rows: a baseline (JSON.parse of the body alone), the CEL filter alone (compiled once, the body
// already parsed), the cel interceptor (JSON.parse + filter + 2 overlays), and the full chain per
// event (github: event type + X-Hub-Signature-256 HMAC; then cel). `npm run bench` runs it too.
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PAYLOAD_FILE = join(ROOT, "examples/payloads/github-push.json");
const CONFIG_FILE = join(ROOT, "examples/config/eventlistener.yaml");
const TRIGGER = "github-push";
const SECRET = process.env.BENCH_SECRET ?? "hookline-example-secret";

/** The params of each interceptor of the example github trigger, by interceptor name. */
function exampleInterceptorParams() {
  for (const doc of parseAllDocuments(readFileSync(CONFIG_FILE, "utf8"))) {
    const el = doc.toJS();
    const trigger = el?.spec?.triggers?.find((t) => t.name === TRIGGER);
    if (trigger === undefined) continue;
    const byName = {};
    for (const i of trigger.interceptors) {
      byName[i.ref.name] = Object.fromEntries((i.params ?? []).map((p) => [p.name, p.value]));
    }
    return byName;
  }
  throw new Error(`no trigger ${TRIGGER} in ${CONFIG_FILE}`);
}

/** Calls `fn` (sync or async) repeatedly for about `ms` milliseconds; returns calls per second. */
async function measure(fn, ms) {
  for (let i = 0; i < 2_000; i++) await fn(); // warm-up: let the JIT settle
  let n = 0;
  let batch = 256;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) await fn();
    n += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return (n / elapsed) * 1000;
}

/**
 * Runs the CEL rows and prints them; returns the rows ({name, perSecond}). `ms` is the time per row.
 * @example await runCelBench({ ms: 2000 })
 */
export async function runCelBench({ ms = Number(process.env.BENCH_CEL_MS ?? "2000") } = {}) {
  const dist = join(ROOT, "dist/interceptors");
  if (!existsSync(join(dist, "cel/index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first");
  }
  const { cel } = await import(pathToFileURL(join(dist, "cel/index.js")).href);
  const { github } = await import(pathToFileURL(join(dist, "github/index.js")).href);
  const { createLogger } = await import(pathToFileURL(join(ROOT, "dist/src/log/logger.js")).href);

  const body = readFileSync(PAYLOAD_FILE);
  const params = exampleInterceptorParams();
  const celParams = cel.parseParams(params.cel);
  const githubParams = github.parseParams(params.github);
  if (celParams.filter === undefined) throw new Error("the example cel interceptor has no filter");
  const secretValue = Buffer.from(SECRET);
  const ctx = {
    secrets: { get: () => Promise.resolve(secretValue) },
    namespace: "default",
    log: createLogger({ silent: true }),
    signal: new AbortController().signal,
    receivedAt: new Date(),
  };
  const header = {
    "Content-Type": ["application/json"],
    "X-Github-Event": ["push"],
    "X-Hub-Signature-256": [`sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`],
  };
  // A fresh request per event, as the listener builds one: bodyJSON parses at most once.
  const request = (extensions = {}) => {
    let memo;
    return {
      body,
      bodyJSON: () => (memo ??= { value: JSON.parse(body.toString("utf8")) }).value,
      header,
      extensions,
      context: { event_url: "/", event_id: "ev", trigger_id: "github-push" },
    };
  };
  const activation = {
    body: JSON.parse(body.toString("utf8")),
    header,
    extensions: {},
    requestURL: "/",
  };

  // Check once that every path does what the bench claims, so that a rejection is not measured.
  if (celParams.filter.evaluate(activation) !== true) throw new Error("the filter is not true");
  const one = await cel.process(request(), celParams, ctx);
  if (!one.continue || one.extensions?.short_sha === undefined) {
    throw new Error(`the cel interceptor rejected the example: ${JSON.stringify(one)}`);
  }
  const gh = await github.process(request(), githubParams, ctx);
  if (!gh.continue)
    throw new Error(`the github interceptor rejected the example: ${JSON.stringify(gh)}`);

  const rows = [
    {
      name: "baseline: JSON.parse of the body",
      fn: () => JSON.parse(body.toString("utf8")),
    },
    {
      name: "cel filter alone (body parsed)",
      fn: () => celParams.filter.evaluate(activation),
    },
    {
      name: "cel interceptor (parse + filter + 2 overlays)",
      fn: () => cel.process(request(), celParams, ctx),
    },
    {
      name: "full chain: github (HMAC) + cel",
      fn: async () => {
        const req = request();
        const first = await github.process(req, githubParams, ctx);
        if (!first.continue) throw new Error("github rejected");
        const second = await cel.process(req, celParams, ctx);
        if (!second.continue) throw new Error("cel rejected");
      },
    },
  ];
  process.stdout.write(
    `\nCEL (in process, ${body.length}-byte github push, filter ${JSON.stringify(params.cel.filter)}):\n`,
  );
  const results = [];
  let baseline;
  for (const row of rows) {
    const perSecond = await measure(row.fn, ms);
    baseline ??= perSecond;
    results.push({ name: row.name, perSecond });
    const ratio = (perSecond / baseline).toFixed(2);
    const micros = (1e6 / perSecond).toFixed(2);
    process.stdout.write(
      `  ${row.name.padEnd(48)} ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} /s` +
        `  ${micros.padStart(7)} µs  ×${ratio} of baseline\n`,
    );
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runCelBench();
  } catch (err) {
    process.stderr.write(`cel-bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
