import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { createFile, type CreateOutcome } from "./create-file.js";
import type { FileWriterAnswer, FileWriterRequest } from "./file-writer-worker.js";

const WORKER = new URL("./file-writer-worker.js", import.meta.url);

/**
 * Creates a resource file (create-file.ts) in the process's file writer thread: one round trip
 * per file, and the event loop never waits in `open`. A file created on the bench machine's ext4
 * costs ~50–460 µs of system time; done on the loop it blocked every request behind it, and done
 * through libuv's thread pool it took five round trips (open, write, close, link, unlink), each
 * waiting for a turn of a busy loop, so at 50 connections deliveries fell to a quarter of the
 * accepted events. Running from the TypeScript sources (no built worker) it is done in place.
 */
export function createFileOffThread(
  tmp: string,
  path: string,
  text: string,
): Promise<CreateOutcome> {
  const writer = sharedWriter();
  if (writer === undefined) return Promise.resolve(createFile(tmp, path, text));
  return writer.create(tmp, path, text);
}

interface Writer {
  create(tmp: string, path: string, text: string): Promise<CreateOutcome>;
}

let shared: Writer | undefined;
let available: boolean | undefined;

function sharedWriter(): Writer | undefined {
  available ??= existsSync(fileURLToPath(WORKER));
  if (!available) return undefined;
  shared ??= startWriter();
  return shared;
}

/**
 * One worker for the process. It keeps the process alive only while a file is on its way (a
 * `replay` waits for its files; an idle `serve` or test exits as without it). If it dies, the
 * files on their way fail (retryable: the delivery is tried again) and the next one starts a
 * new worker.
 */
function startWriter(): Writer {
  const worker = new Worker(WORKER);
  worker.unref();
  const waiting = new Map<number, (outcome: CreateOutcome) => void>();
  let next = 0;
  const settle = (answer: FileWriterAnswer): void => {
    const resolve = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (waiting.size === 0) worker.unref();
    resolve?.(answer.outcome);
  };
  const fail = (): void => {
    if (shared === writer) shared = undefined;
    for (const resolve of waiting.values()) resolve({ kind: "failed", code: "EWORKER" });
    waiting.clear();
  };
  worker.on("message", settle);
  worker.on("error", fail);
  worker.on("exit", fail);
  const writer: Writer = {
    create(tmp, path, text) {
      return new Promise<CreateOutcome>((resolve) => {
        const id = next++;
        if (waiting.size === 0) worker.ref();
        waiting.set(id, resolve);
        const req: FileWriterRequest = { id, tmp, path, text };
        worker.postMessage(req);
      });
    },
  };
  return writer;
}
