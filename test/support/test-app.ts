import { createServer, type Server } from "node:http";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { createApp, type AppDeps } from "../../src/app.js";
import type { CompiledConfig } from "../../src/config/compiled.js";
import { loadConfigDir } from "../../src/config/load-config.js";
import { createSecretResolver } from "../../src/config/secret-resolver.js";
import type { BuiltinInterceptorOptions } from "../../src/interceptors/builtins.js";
import { createInterceptorRegistry } from "../../src/interceptors/plugins/create-interceptor-registry.js";
import { createDestinationGuard } from "../../src/http/destination-guard.js";
import { createHttpRequestSink } from "../../src/sinks/http/http-request-sink.js";
import { createLocalSink } from "../../src/sinks/local/local-sink.js";
import type { Sink } from "../../src/sinks/types.js";
import type { BackoffPolicy } from "../../src/delivery/backoff.js";
import { createDeliveryWorker, type DeliveryWorker } from "../../src/delivery/delivery-worker.js";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import type { Journal } from "../../src/store/types.js";
import type { Logger } from "../../src/log/logger.js";
import { createCapturingLogger, type MemoryTransport } from "./capture-logs.js";
import { createSecretValues, type SecretValues } from "../../src/core/secret-values.js";
import { redactingLogger } from "../../src/log/redacting-logger.js";
import { checkingAnswers } from "./capture-answers.js";

export interface TestApp {
  server: Server;
  config: CompiledConfig;
  outDir: string;
  logs: MemoryTransport;
  log: Logger;
  /** The secret values the listener's resolver handed out (redacted by value, as serve does). */
  secretValues: SecretValues;
  journal: Journal;
  worker: DeliveryWorker;
  /** Every file the local sink wrote, parsed. */
  written(): Promise<{ path: string; resource: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

export interface TestAppOptions extends Partial<
  Pick<
    AppDeps,
    | "maxBodyBytes"
    | "bodyBudgetBytes"
    | "bodiesPerSource"
    | "deadlineMs"
    | "defaultListener"
    | "requestTimeoutMs"
    | "metrics"
    | "unauthenticatedQuota"
    | "journalBudget"
    | "adminPage"
    | "rateLimiter"
  >
> {
  secretsDir?: string;
  /** A folder of interceptor plug-ins, as HOOKLINE_INTERCEPTORS_DIR names. */
  interceptorsDir?: string;
  /** Where the GitHub and GitLab built-ins call their APIs (HOOKLINE_GITHUB_API_URL, …). */
  builtins?: BuiltinInterceptorOptions;
  journal?: Journal;
  sink?: Sink;
  /** HOOKLINE_HTTP_ALLOW for the HTTPRequest sink (tests call fakes on loopback through it). */
  httpAllow?: readonly string[] | undefined;
  /** The worker's retry backoff (a zero policy retries within one `drain`). */
  backoff?: BackoffPolicy;
}

/**
 * A real node:http server (not listening until supertest makes it) around createApp, on a config
 * directory, with the local sink writing to a fresh temp dir and logs captured in memory.
 */
export async function createTestApp(
  configDir: string,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const {
    journal: _journal,
    sink: _sink,
    secretsDir: _secretsDir,
    interceptorsDir: _interceptorsDir,
    builtins: _builtins,
    httpAllow: _httpAllow,
    backoff: _backoff,
    ...appOptions
  } = options;
  const registry = await createInterceptorRegistry(options.interceptorsDir, options.builtins);
  const config = await loadConfigDir(configDir, { registry });
  const outDir = await mkdtemp(join(tmpdir(), "hookline-out-"));
  const captured = createCapturingLogger();
  const { logs } = captured;
  // As serve wires it: the resolver learns every value it hands out, logs and journal redact them.
  const secretValues = createSecretValues();
  const log = redactingLogger(captured.log, secretValues);
  const journal = options.journal ?? createMemoryJournal();
  const secrets = createSecretResolver({
    fromConfig: config.secrets,
    dir: options.secretsDir,
    values: secretValues,
  });
  const worker = createDeliveryWorker({
    journal,
    sink: options.sink ?? createLocalSink({ outDir }),
    httpSink: createHttpRequestSink({
      secrets,
      secretValues,
      guard: createDestinationGuard({ allow: options.httpAllow }),
    }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    log,
    pollMs: 20,
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
  });
  const app = createApp({
    config: () => config,
    secrets,
    secretValues,
    journal,
    onRecorded: () => worker.wake(),
    log,
    ...appOptions,
  });
  const server = createServer(checkingAnswers("listener", app));
  return {
    server,
    config,
    outDir,
    logs,
    log,
    secretValues,
    journal,
    worker,
    /** Delivers every due run first, so what the sink wrote is complete. */
    written: async () => {
      await worker.drain();
      return readWritten(outDir);
    },
    close: async () => {
      server.close();
      await worker.stop();
      await journal.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

async function readWritten(
  dir: string,
): Promise<{ path: string; resource: Record<string, unknown> }[]> {
  const out: { path: string; resource: Record<string, unknown> }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith(".yaml"))
        out.push({
          path: p,
          resource: parse(await readFile(p, "utf8")) as Record<string, unknown>,
        });
    }
  };
  await walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Writes files into a fresh temp directory: a config made inside a test. */
export async function writeConfigDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hookline-config-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}
