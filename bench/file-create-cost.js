#!/usr/bin/env node
// What the disk under a row costs per event, outside hookline: the local sink's file pattern
// (a temporary file opened O_EXCL, hard-linked into place, then removed) and one fsync'd 8 KB
// append, as a journal commit does. Run by bench/run.js on the server's core, so its system
// time is the floor the rows on that disk pay per delivered run and per commit.
//
//   node bench/file-create-cost.js DIR [DIR...]   -> one JSON line per DIR
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdtempSync,
  openSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

const FILES = 2000;
const SYNCS = 300;
const text = `${"x".repeat(3000)}\n`;
const page = Buffer.alloc(8192, 120);

/** Wall and CPU (user, system) µs per call of `fn` over `n` calls. */
function measure(n, fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const wall = ((performance.now() - t0) * 1000) / n;
  const cpu = process.cpuUsage(cpu0);
  return {
    wallUs: Math.round(wall),
    userUs: Math.round(cpu.user / n),
    sysUs: Math.round(cpu.system / n),
  };
}

for (const parent of process.argv.slice(2)) {
  const dir = mkdtempSync(join(parent, "hookline-bench-fs-"));
  try {
    const file = measure(FILES, (i) => {
      const tmp = join(dir, `.hookline-${i}.tmp`);
      writeFileSync(tmp, text, { flag: "wx" });
      linkSync(tmp, join(dir, `run-${i}.yaml`));
      unlinkSync(tmp);
    });
    const fd = openSync(join(dir, "wal"), "a");
    const commit = measure(SYNCS, () => {
      writeSync(fd, page);
      fsyncSync(fd);
    });
    closeSync(fd);
    process.stdout.write(`${JSON.stringify({ dir: parent, file, commit })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
