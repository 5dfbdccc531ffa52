import { parentPort } from "node:worker_threads";
import { loadYamlFast } from "./fast-yaml-load.js";

/**
 * The worker of load-yaml-off-thread.ts: reads one config file's text the fast way and answers
 * with its documents as JSON text (JSON.parse on the main thread is quick), or `undefined` when
 * the file must be read the slow way, or "in-thread" when it holds values JSON cannot carry
 * (NaN, ±Infinity, -0): then the main thread reads it itself.
 */
parentPort?.once("message", (text: string) => {
  const read = loadYamlFast(text);
  const answer: YamlWorkerAnswer =
    read === undefined
      ? { kind: "slow" }
      : read.special
        ? { kind: "in-thread" }
        : { kind: "json", json: JSON.stringify(read.docs) };
  parentPort?.postMessage(answer);
});

export type YamlWorkerAnswer =
  { kind: "slow" } | { kind: "in-thread" } | { kind: "json"; json: string };
