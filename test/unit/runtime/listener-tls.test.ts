import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import {
  readListenerTls,
  watchListenerTls,
  type TlsWatcher,
} from "../../../src/runtime/listener-tls.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { createTestTls } from "../../support/test-tls.js";

/** The fingerprint of the certificate a fresh TLS connection to the server is shown. */
function servedFingerprint(server: Server): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.once("error", reject);
  });
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await read();
    if (ok(v) || i > 200) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setUp(): Promise<{
  dir: string;
  cert: string;
  key: string;
  server: Server;
  watcher: TlsWatcher;
  logs: ReturnType<typeof createCapturingLogger>["logs"];
}> {
  const dir = await mkdtemp(join(tmpdir(), "hookline-tls-watch-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const first = createTestTls("first CA");
  const cert = join(dir, "tls.crt");
  const key = join(dir, "tls.key");
  await writeFile(cert, first.serverCertPem);
  await writeFile(key, first.serverKeyPem);
  const server = createServer(await readListenerTls({ cert, key }), (_req, res) => res.end("ok"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const { log, logs } = createCapturingLogger();
  const watcher = watchListenerTls({
    source: { cert, key },
    apply: (pair) => server.setSecureContext(pair),
    log,
    intervalMs: 20,
  });
  cleanups.push(() => watcher.close());
  return { dir, cert, key, server, watcher, logs };
}

/** As the kubelet does: new files written beside, then renamed over the old ones. */
async function replace(path: string, text: string): Promise<void> {
  await writeFile(`${path}.new`, text);
  await rename(`${path}.new`, path);
}

describe("watchListenerTls", () => {
  it("serves a rotated certificate to new connections without a restart", async () => {
    const { cert, key, server } = await setUp();
    const before = await servedFingerprint(server);
    const second = createTestTls("second CA");
    await replace(key, second.serverKeyPem);
    await replace(cert, second.serverCertPem);
    const after = await until(
      () => servedFingerprint(server),
      (f) => f !== before,
    );
    expect(after).not.toBe(before);
  });

  it("keeps the certificate in force when the new pair cannot be used, and says so", async () => {
    const { cert, server, logs } = await setUp();
    const before = await servedFingerprint(server);
    // A certificate whose key is not the one on disk: the pair does not match.
    await replace(cert, createTestTls("other CA").serverCertPem);
    await until(
      () =>
        Promise.resolve(
          logs.entries.some(
            (e) => e["message"] === "TLS certificate not reloaded; the one in force is kept",
          ),
        ),
      (seen) => seen,
    );
    expect(logs.entries.map((e) => e["message"])).toContain(
      "TLS certificate not reloaded; the one in force is kept",
    );
    expect(await servedFingerprint(server)).toBe(before);
  });
});
