import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, ROOT } from "./fixtures.js";

/**
 * hookline as a real child process (`bin/hookline.js serve`, the build in dist/), for the tests
 * that kill it, restart it, or run two of it. The tests run `npm run build` first (or the build
 * must be current), as the CLI runs what `tsc` produced.
 */

export const HOOKLINE_BIN = join(ROOT, "bin", "hookline.js");
export const EXAMPLE_PUSH = readFileSync(join(ROOT, "examples", "payloads", "github-push.json"));
export const LABEL_EVENT_ID = "triggers.tekton.dev/triggers-eventid";
export const LABEL_DELIVERY_KEY = "hookline.dev/delivery-key";

/** A scratch directory under the repository (file creation under /tmp is slow on some hosts). */
export function scratchDir(): string {
  return mkdtempSync(join(ROOT, "test", "process", ".tmp-"));
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

export interface HooklineProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Log lines at level error or above, as printed (for diagnostics and assertions). */
  readonly errors: string[];
  /** How many log lines had this `message` (e.g. "resource created"). */
  count(message: string): number;
  /** The last lines of output (stdout and stderr), for a failure message. */
  tail(): string;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), and wait for the exit; SIGKILL if it takes more than `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  store: string;
  outDir: string;
  configDir?: string;
  /** Ready within this long, or the start fails (default 20 s). */
  startTimeoutMs?: number;
  /** More `serve` arguments (e.g. `--sink kubernetes`). */
  args?: readonly string[];
  /** More environment variables (e.g. KUBECONFIG). */
  env?: Readonly<Record<string, string>>;
}

/** Starts `hookline serve` on 127.0.0.1, port 0, and resolves once it logs `listening`. */
export async function startHookline(options: StartOptions): Promise<HooklineProcess> {
  const args = [
    HOOKLINE_BIN,
    "serve",
    "--config",
    options.configDir ?? EXAMPLE_CONFIG,
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    "--out",
    options.outDir,
    "--store",
    options.store,
    // The admin port's default (127.0.0.1:9090) would clash between replicas and test files.
    "--admin",
    "127.0.0.1:0",
    ...(options.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["HOOKLINE_STORE"];
  delete env["HOOKLINE_LISTENER"];
  delete env["HOOKLINE_LOG_LEVEL"];
  delete env["HOOKLINE_ADMIN_ADDR"];
  delete env["HOOKLINE_ADMIN_TOKEN"];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const errors: string[] = [];
  const messages = new Map<string, number>();
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 100);
  };
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const tail = (): string => lines.slice(-30).join("\n");

  const port = await new Promise<number>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hookline did not log "listening" within ${timeoutMs} ms:\n${tail()}`));
    }, timeoutMs);
    let ready = false;
    const out = createInterface({ input: child.stdout });
    out.on("line", (line) => {
      keep(line);
      if (line.includes('"level":"error"')) errors.push(line);
      const message = /"message":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
      if (message !== undefined) messages.set(message, (messages.get(message) ?? 0) + 1);
      if (!ready && line.includes('"message":"hookline could not start"')) {
        // It may not exit by itself after a failed start: do not wait for the timeout.
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new Error(`hookline could not start:\n${tail()}`));
        return;
      }
      if (ready || !line.includes('"message":"listening"')) return;
      try {
        const entry = JSON.parse(line) as { message?: unknown; port?: unknown };
        if (entry.message === "listening" && typeof entry.port === "number") {
          ready = true;
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // Not a JSON log line: kept for the tail only.
      }
    });
    createInterface({ input: child.stderr }).on("line", keep);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (!ready)
        reject(new Error(`hookline exited (${code ?? signal}) before listening:\n${tail()}`));
    });
  });

  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    port,
    errors,
    count: (message) => messages.get(message) ?? 0,
    tail,
    async kill() {
      if (alive()) child.kill("SIGKILL");
      await exited;
    },
    async stop(graceMs = 10_000) {
      if (!alive()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One answer to a POST, or the error that took its place (reset, refused, timeout). */
export interface Answer {
  deliveryId: string;
  status: number | undefined;
  body: { eventID?: string; duplicate?: boolean; deliveryId?: string | null } | undefined;
  error: string | undefined;
}

/** A signed GitHub push, as GitHub sends it, with the example listener's secret. */
export function githubPushHeaders(deliveryId: string, body: Buffer): Record<string, string> {
  const signature = createHmac("sha256", EXAMPLE_SECRET).update(body).digest("hex");
  return {
    "Content-Type": "application/json",
    "Content-Length": String(body.length),
    "X-GitHub-Event": "push",
    "X-GitHub-Delivery": deliveryId,
    "X-Hub-Signature-256": `sha256=${signature}`,
  };
}

export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

/** POSTs one signed push to `/`; never rejects. */
export function postPush(
  agent: Agent,
  port: number,
  deliveryId: string,
  timeoutMs = 30_000,
): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Omit<Answer, "deliveryId">): void => {
      if (settled) return;
      settled = true;
      resolve({ deliveryId, ...a });
    };
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        agent,
        headers: githubPushHeaders(deliveryId, EXAMPLE_PUSH),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) =>
          done({ status: undefined, body: undefined, error: `response: ${err.message}` }),
        );
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: Answer["body"];
          try {
            body = JSON.parse(text) as Answer["body"];
          } catch {
            body = undefined;
          }
          done({ status: res.statusCode, body, error: undefined });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => done({ status: undefined, body: undefined, error: err.message }));
    req.end(EXAMPLE_PUSH);
  });
}

/**
 * Runs `task` over `items` with at most `concurrency` at once, in order of the items; stops
 * starting new ones once `stopped()` is true (those are left out of the result).
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
  stopped: () => boolean = () => false,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stopped()) {
      const i = next++;
      results.push(await task(items[i] as T, i));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface WrittenResource {
  path: string;
  eventId: string | undefined;
  deliveryKey: string | undefined;
}

/** Every `*.yaml` the local sink wrote under `outDir`, with its two hookline labels. */
export function writtenResources(outDir: string): WrittenResource[] {
  let names: string[];
  try {
    names = readdirSync(outDir, { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".yaml"))
    .map((n) => {
      const path = join(outDir, n);
      const text = readFileSync(path, "utf8");
      return {
        path,
        eventId: label(text, LABEL_EVENT_ID),
        deliveryKey: label(text, LABEL_DELIVERY_KEY),
      };
    });
}

/** Files in `outDir` that are not resources (temporary files left behind). */
export function strayFiles(outDir: string): string[] {
  try {
    return readdirSync(outDir, { recursive: true, withFileTypes: true, encoding: "utf8" })
      .filter((d) => d.isFile() && !d.name.endsWith(".yaml"))
      .map((d) => join(d.parentPath, d.name));
  } catch {
    return [];
  }
}

function label(yamlText: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const m = new RegExp(`^\\s+${escaped}:\\s*"?([^"\\s]+)"?\\s*$`, "m").exec(yamlText);
  return m?.[1];
}

/** Values that occur more than once, with their counts. */
export function repeated(values: readonly (string | undefined)[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Object.fromEntries([...counts].filter(([, n]) => n > 1));
}

/** Whether something accepts TCP connections on host:port. */
export function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
