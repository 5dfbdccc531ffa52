// The local sink's file writer thread (file-writer.ts): creates the files it is sent, one
// message each, and answers each with its outcome.
import { parentPort } from "node:worker_threads";
import { createFile, type CreateOutcome } from "./create-file.js";

export interface FileWriterRequest {
  id: number;
  tmp: string;
  path: string;
  text: string;
}

export interface FileWriterAnswer {
  id: number;
  outcome: CreateOutcome;
}

parentPort?.on("message", (req: FileWriterRequest) => {
  const answer: FileWriterAnswer = { id: req.id, outcome: createFile(req.tmp, req.path, req.text) };
  parentPort?.postMessage(answer);
});
