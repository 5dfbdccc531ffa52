import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { FastYamlLoad } from "./fast-yaml-load.js";
import type { YamlWorkerAnswer } from "./yaml-load-worker.js";

/** From this size on, a config file is read the fast way in a worker thread. */
export const OFF_THREAD_CHARS = 256 * 1024;

/**
 * Reads a big config file's text the fast way in a worker thread, so that the main thread goes
 * on answering requests meanwhile (js-yaml has no streaming interface: a 2.6 MB document is one
 * block of ~250–400 ms). Answers the documents, `undefined` when the file must be read the slow
 * way, or "unread" when the worker could not do it (values JSON cannot carry, no worker in this
 * build): then the caller reads it on its own thread.
 */
export async function loadYamlOffThread(
  text: string,
): Promise<FastYamlLoad | undefined | "unread"> {
  if (!existsSync(fileURLToPath(WORKER))) return "unread"; // running from the TypeScript sources
  let worker: Worker;
  try {
    worker = new Worker(WORKER);
  } catch {
    return "unread";
  }
  try {
    const answer = await new Promise<YamlWorkerAnswer>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", () => reject(new Error("the YAML worker stopped")));
      worker.postMessage(text);
    });
    switch (answer.kind) {
      case "slow":
        return undefined;
      case "in-thread":
        return "unread";
      case "json":
        return { docs: JSON.parse(answer.json) as unknown[], special: false };
    }
  } catch {
    return "unread";
  } finally {
    void worker.terminate();
  }
}

const WORKER = new URL("./yaml-load-worker.js", import.meta.url);
