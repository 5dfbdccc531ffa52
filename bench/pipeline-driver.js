// The driver of bench/instructions.js: N signed GitHub pushes through ROOT's createApp (memory
// journal, example config, no sink) on loopback, one after the other, in one process.
// Usage: node bench/pipeline-driver.js ROOT N [CONFIG_DIR]   (default ROOT/examples/config)
// BENCH_DRIVER_STORE=sqlite: an SQLite journal in a temp dir instead (what the journal's
// serialising and commits cost; removed at the end).
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, createServer, request } from "node:http";
const [root, nText, configDir] = process.argv.slice(2);
const n = Number(nText);
const d = (p) => import(`${root}/dist/src/${p}`);
const { createApp } = await d("app.js");
const { loadConfigDir } = await d("config/load-config.js");
const { createSecretResolver } = await d("config/secret-resolver.js");
const { createInterceptorRegistry } = await d(
  "interceptors/plugins/create-interceptor-registry.js",
);
const { createJournal } = await d("store/create-journal.js");
const { createLogger } = await d("log/logger.js");
const registry = await createInterceptorRegistry(undefined);
const config = await loadConfigDir(configDir ?? `${root}/examples/config`, { registry });
const secrets = createSecretResolver({ fromConfig: config.secrets, dir: undefined });
const storeDir =
  process.env.BENCH_DRIVER_STORE === "sqlite" ? mkdtempSync(join(tmpdir(), "hl-driver-")) : "";
const journal = await createJournal(storeDir === "" ? "memory" : join(storeDir, "hookline.db"));
// Old builds read HOOKLINE_LOG_LEVEL themselves; newer ones take the level as an option.
const log = createLogger({ level: process.env.HOOKLINE_LOG_LEVEL ?? "warn" });
// BENCH_TRACING_RATIO=0.1: tracing on (the parentbased_traceidratio sampler at that ratio), spans
// exported over OTLP/HTTP to a collector stub in this process (its cost is counted too).
const tracing = await startBenchTracing(process.env.BENCH_TRACING_RATIO);
const app = createApp({ config: () => config, secrets, journal, log, tracer: tracing?.tracer });
const server = createServer(app);
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;
const body = readFileSync(`${root}/examples/payloads/github-push.json`);
const sig = "sha256=" + createHmac("sha256", "hookline-example-secret").update(body).digest("hex");
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let bad = 0;
const t0 = process.cpuUsage();
for (let i = 0; i < n; i++) {
  await new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        agent,
        headers: {
          "Content-Type": "application/json",
          "X-GitHub-Event": "push",
          "X-GitHub-Delivery": randomUUID(),
          "X-Hub-Signature-256": sig,
          "Content-Length": body.length,
        },
      },
      (res) => {
        if (res.statusCode >= 300) bad++;
        res.resume();
        res.on("end", resolve);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
const cpu = process.cpuUsage(t0);
process.stderr.write(
  JSON.stringify({ n, bad, cpuMsPerEvent: (cpu.user + cpu.system) / 1000 / Math.max(n, 1) }) + "\n",
);
await tracing?.shutdown();
agent.destroy();
server.close();
await journal.close();
if (storeDir !== "") rmSync(storeDir, { recursive: true, force: true });
process.exit(0);

async function startBenchTracing(ratioText) {
  if (ratioText === undefined || ratioText === "") return undefined;
  const { startTracing } = await d("runtime/start-tracing.js");
  const stub = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise((r) => stub.listen(0, "127.0.0.1", r));
  stub.unref();
  return startTracing({
    kind: "otlp",
    url: `http://127.0.0.1:${stub.address().port}/v1/traces`,
    headers: {},
    serviceName: "hookline-bench",
    sampler: { kind: "parentbased_traceidratio", ratio: Number(ratioText) },
  });
}
