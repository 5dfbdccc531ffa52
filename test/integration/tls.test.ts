import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_BODY, serve, type Running, type ServeOptions } from "../../src/main.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, ROOT, signGithub } from "../support/fixtures.js";
import { createTestTls, type TestTls } from "../support/test-tls.js";

const PUSH = await readFile(join(ROOT, "examples", "payloads", "github-push.json"));

let dir: string;
let tls: TestTls;
let certFile: string;
let keyFile: string;
let running: Running | undefined;

beforeAll(async () => {
  tls = createTestTls();
  dir = await mkdtemp(join(tmpdir(), "hookline-tls-"));
  // Tekton's EventListener mounts the Secret's tls.crt and tls.key as files; so does this test.
  certFile = join(dir, "tls.crt");
  keyFile = join(dir, "tls.key");
  await writeFile(certFile, tls.serverCertPem);
  await writeFile(keyFile, tls.serverKeyPem, { mode: 0o600 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await running?.close();
  running = undefined;
});

function start(tlsOption: ServeOptions["tls"]): Promise<Running> {
  return serve({
    configDir: EXAMPLE_CONFIG,
    store: "memory",
    adminAddr: "127.0.0.1:0",
    port: 0,
    host: "127.0.0.1",
    outDir: join(dir, `out-${randomUUID()}`),
    secretsDir: undefined,
    maxBodyBytes: DEFAULT_MAX_BODY,
    defaultListener: undefined,
    log: createCapturingLogger().log,
    watchConfig: false,
    tls: tlsOption,
  });
}

interface Answer {
  status: number;
  body: string;
}

/** A signed GitHub push over HTTPS, trusting only the test CA. */
async function pushOverTls(port: number, ca: string): Promise<Answer> {
  const signature = await signGithub(PUSH, EXAMPLE_SECRET);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/",
        method: "POST",
        ca,
        servername: "localhost",
        headers: {
          "content-type": "application/json",
          "content-length": PUSH.length,
          "x-github-event": "push",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signature,
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(PUSH);
  });
}

/** Plain HTTP to a port: resolves with the status, or rejects when the connection fails. */
function plainGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

describe("TLS on the listener port (TLS_CERT, TLS_KEY)", () => {
  it("accepts a signed push over TLS with the CA trusted", async () => {
    running = await start({ cert: certFile, key: keyFile });
    const answer = await pushOverTls(running.port, tls.caPem);
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ eventListener: "github-listener" });
  });

  it("takes the PEMs themselves, as an env var from a Secret key holds them", async () => {
    running = await start({ cert: tls.serverCertPem, key: tls.serverKeyPem });
    expect((await pushOverTls(running.port, tls.caPem)).status).toBe(202);
  });

  it("refuses a client that does not trust the CA", async () => {
    running = await start({ cert: certFile, key: keyFile });
    const other = createTestTls("some other CA");
    await expect(pushOverTls(running.port, other.caPem)).rejects.toThrow(/certificate/i);
  });

  it("does not answer plain HTTP on the TLS port", async () => {
    running = await start({ cert: certFile, key: keyFile });
    await expect(plainGet(running.port, "/live")).rejects.toThrow();
  });

  it("keeps the admin port plain HTTP", async () => {
    running = await start({ cert: certFile, key: keyFile });
    expect(await plainGet(running.adminPort, "/metrics")).toBe(200);
  });

  it.each([
    { name: "only TLS_CERT", option: () => ({ cert: certFile }), error: /only TLS_CERT is set/ },
    { name: "only TLS_KEY", option: () => ({ key: keyFile }), error: /only TLS_KEY is set/ },
    {
      name: "a missing file",
      option: () => ({ cert: join(dir, "nope.crt"), key: keyFile }),
      error: /TLS_CERT file .*nope\.crt cannot be read/,
    },
    {
      name: "a key that does not match",
      option: () => ({ cert: certFile, key: createTestTls().serverKeyPem }),
      error: /TLS_CERT\/TLS_KEY cannot be used/,
    },
  ])("refuses to start with $name", async ({ option, error }) => {
    await expect(start(option())).rejects.toThrow(error);
  });
});
