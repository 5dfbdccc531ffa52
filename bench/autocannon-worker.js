// The autocannon fallback for bench/run.js (used when wrk is not installed). run.js starts it as
// its own process, so it can be pinned to a core apart from the server. Prints one BENCH_JSON line.
// Env: BENCH_URL, BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_BODY_FILE, BENCH_SIGNATURE.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const env = process.env;
const body = readFileSync(env.BENCH_BODY_FILE);
const result = await autocannon({
  url: env.BENCH_URL,
  connections: Number(env.BENCH_CONNECTIONS),
  duration: Number(env.BENCH_SECONDS),
  timeout: 10,
  method: "POST",
  headers: {
    "content-type": "application/json",
    "x-github-event": "push",
    "x-hub-signature-256": env.BENCH_SIGNATURE,
  },
  body,
  requests: [
    {
      // A function here makes autocannon rebuild every request: each gets its own delivery id.
      setupRequest(req) {
        req.headers = { ...req.headers, "x-github-delivery": randomUUID() };
        return req;
      },
    },
  ],
});

const ok = result["2xx"] ?? 0;
const out = {
  requests: result.requests.total,
  duration_us: Math.round(result.duration * 1e6),
  ok2xx: ok,
  non2xx: result.non2xx,
  errors: { other: result.errors, timeout: result.timeouts },
  latency_us: {
    p50: result.latency.p50 * 1000,
    p90: result.latency.p90 * 1000,
    p99: result.latency.p99 * 1000,
    max: result.latency.max * 1000,
    mean: result.latency.mean * 1000,
  },
};
process.stdout.write(`BENCH_JSON ${JSON.stringify(out)}\n`);
