import { randomBytes } from "node:crypto";

/**
 * This process's part of every temporary file name: random, as replicas sharing a volume may have
 * the same pid (pid 1 in a container). Drawn once; a counter tells this process's files apart.
 */
const PROCESS_PART = randomBytes(8).toString("hex");
let counter = 0;

/**
 * A fresh temporary file name, `.hookline-<process>-<n>.tmp`, unique among every process writing
 * to the folder: the random part is drawn once per process (it was 8 random bytes per file, a
 * system call's worth of time on each). The file is still opened with `wx` (O_EXCL), so a clash
 * could never overwrite another writer's file; stale ones are found by the same prefix and suffix.
 */
export function tempName(): string {
  counter++;
  return `.hookline-${PROCESS_PART}-${counter.toString(36)}.tmp`;
}
