import { unwatchFile, watchFile } from "node:fs";
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import type { Logger } from "../core/logger.js";

/** TLS_CERT / TLS_KEY: each a PEM file path, or the PEM itself (a Secret key in an env var). */
export interface ListenerTlsSource {
  cert: string;
  key: string;
}

export interface TlsPair {
  cert: string;
  key: string;
}

/**
 * Reads the listener's certificate and key and checks that they make a secure context (a bad PEM
 * or a key that does not match fails here, before listening).
 */
export async function readListenerTls(source: ListenerTlsSource): Promise<TlsPair> {
  const pair = {
    cert: await readPem("TLS_CERT", source.cert),
    key: await readPem("TLS_KEY", source.key),
  };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new Error(`TLS_CERT/TLS_KEY cannot be used: ${(err as Error).message}`, { cause: err });
  }
  return pair;
}

async function readPem(name: string, value: string): Promise<string> {
  if (value.includes("-----BEGIN ")) return value;
  try {
    return await readFile(value, "utf8");
  } catch (err) {
    throw new Error(`${name} file ${value} cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export interface TlsWatcher {
  close(): void;
}

export interface WatchTlsOptions {
  source: ListenerTlsSource;
  /** Called with a pair that makes a secure context; the server swaps it in. */
  apply: (pair: TlsPair) => void;
  log: Logger;
  /** How often the files are looked at (default 5 s; stat polling, as the files are symlinks). */
  intervalMs?: number;
}

/**
 * Re-reads the certificate files when they change: cert-manager rotates a mounted Secret in place
 * (the kubelet swaps a `..data` symlink, so events on the file itself are unreliable; the files
 * are polled with stat, which follows the link). A pair that cannot be used is logged and the one
 * in force is kept; PEMs given inline are not watched.
 */
export function watchListenerTls(options: WatchTlsOptions): TlsWatcher {
  const { source, apply, log } = options;
  const files = [source.cert, source.key].filter((v) => !v.includes("-----BEGIN "));
  if (files.length === 0) return { close: () => undefined };
  let reading: Promise<void> | undefined;
  let again = false;
  const reload = (): void => {
    if (reading !== undefined) {
      again = true; // cert and key are often replaced one after the other: read once more after.
      return;
    }
    reading = readListenerTls(source)
      .then((pair) => {
        apply(pair);
        log.info("TLS certificate reloaded", { files });
      })
      .catch((err: unknown) => {
        log.warn("TLS certificate not reloaded; the one in force is kept", {
          error: (err as Error).message,
        });
      })
      .finally(() => {
        reading = undefined;
        if (again) {
          again = false;
          reload();
        }
      });
  };
  const interval = options.intervalMs ?? 5_000;
  const onChange = (
    now: { mtimeMs: number; ino: number },
    before: { mtimeMs: number; ino: number },
  ): void => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino) reload();
  };
  for (const file of files) watchFile(file, { interval, persistent: false }, onChange);
  return {
    close: () => {
      for (const file of files) unwatchFile(file, onChange);
    },
  };
}
