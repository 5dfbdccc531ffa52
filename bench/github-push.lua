-- wrk script for bench/run.js: a signed GitHub push with a fresh X-GitHub-Delivery per request.
-- The body is fixed, so its X-Hub-Signature-256 is computed once by run.js and passed in.
-- Env: BENCH_BODY_FILE (payload path), BENCH_SIGNATURE ("sha256=<hex>").
local body_path = assert(os.getenv("BENCH_BODY_FILE"), "BENCH_BODY_FILE is not set")
local signature = assert(os.getenv("BENCH_SIGNATURE"), "BENCH_SIGNATURE is not set")
local f = assert(io.open(body_path, "rb"))
local body = f:read("*a")
f:close()

-- wrk.path comes from the URL run.js passes (/ for hookline, /hooks/<id> for adnanh/webhook).
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-GitHub-Event"] = "push"
wrk.headers["X-Hub-Signature-256"] = signature

-- setup() runs in the main Lua state once per thread: give each thread its own number.
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

-- init() runs in each thread's own Lua state.
local counter = 0
local prefix
function init(args)
  local t = tid or 0
  math.randomseed(os.time() * 1000 + t * 7919)
  prefix = string.format("%08x-%04x-%04x", math.random(0, 0x7fffffff), math.random(0, 0xffff), t)
end

-- Defining request() makes wrk build every request anew, so each gets its own delivery id:
-- a random prefix per thread, plus a counter.
function request()
  counter = counter + 1
  wrk.headers["X-GitHub-Delivery"] = string.format("%s-%04x-%012x", prefix, math.random(0, 0xffff), counter)
  return wrk.format()
end

-- One machine-readable line for run.js (latencies in microseconds).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%.1f,"p90":%.1f,"p99":%.1f,"max":%.1f,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
