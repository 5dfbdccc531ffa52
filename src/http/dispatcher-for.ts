import { createHash } from "node:crypto";
import type { Agent, Dispatcher, ProxyAgent } from "undici";
import type { DestinationGuard } from "./destination-guard.js";
import type { TlsConfig } from "./types.js";

/** Connection pools, one per TLS config and proxy: the same trust and identity share sockets. */
const pools = new Map<string, Dispatcher>();

/** More pools than this means something makes a new config per call: start over, not grow. */
const MAX_POOLS = 256;

/**
 * The undici dispatcher (a keep-alive connection pool) for calls with this TLS config and proxy.
 * The config is hashed into the key, so no key material is kept twice. Node 20's global fetch
 * takes no dispatcher from the `undici` package of another version, so `request` uses that
 * package's own fetch with it. `undici` is the package, loaded by `request` at its first call.
 */
export function dispatcherFor(
  undici: { Agent: typeof Agent; ProxyAgent: typeof ProxyAgent },
  tls: TlsConfig | undefined,
  proxy: string | undefined,
  guard?: DestinationGuard,
): Dispatcher {
  const key = keyOf(tls, proxy) + (guard === undefined ? "" : `\0${guard.key}`);
  let pool = pools.get(key);
  if (pool !== undefined) return pool;
  if (pools.size >= MAX_POOLS) {
    for (const old of pools.values()) void old.close().catch(() => undefined); // In-flight calls finish; nothing to report.
    pools.clear();
  }
  const connect = { ...definedOf(tls) };
  pool =
    guard !== undefined
      ? // The guard's lookup checks every address at connection time (no DNS rebinding).
        new undici.Agent({ connect: { ...connect, lookup: guard.lookup } })
      : proxy === undefined
        ? new undici.Agent({ connect })
        : new undici.ProxyAgent({ uri: proxy, requestTls: connect, proxyTls: connect });
  pools.set(key, pool);
  return pool;
}

const FIELDS = [
  "ca",
  "cert",
  "key",
  "pfx",
  "passphrase",
  "rejectUnauthorized",
  "servername",
] as const;

function definedOf(tls: TlsConfig | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (tls?.[f] !== undefined) out[f] = tls[f];
  return out;
}

function keyOf(tls: TlsConfig | undefined, proxy: string | undefined): string {
  const hash = createHash("sha256");
  hash.update(proxy ?? "");
  for (const f of FIELDS) {
    const v = tls?.[f];
    hash.update(`\0${f}=`);
    if (Buffer.isBuffer(v)) hash.update(v);
    else hash.update(v === undefined ? "" : String(v));
  }
  return hash.digest("hex");
}
