import { readFile, stat } from "node:fs/promises";
import { relative } from "node:path";
import { CONFIG_MAX_DIR_BYTES, CONFIG_MAX_FILE_BYTES } from "../settings/defaults.js";
import { tooLarge, unreadable } from "./issues.js";
import type { ConfigIssue } from "./types.js";

/** How much config one load reads at most (documented in the README). */
export interface ConfigLimits {
  /** Per file. Default CONFIG_MAX_FILE_BYTES (4 MiB). */
  fileBytes: number;
  /** All files of the directory together. Default CONFIG_MAX_DIR_BYTES (32 MiB). */
  dirBytes: number;
}

export const DEFAULT_CONFIG_LIMITS: Readonly<ConfigLimits> = Object.freeze({
  fileBytes: CONFIG_MAX_FILE_BYTES,
  dirBytes: CONFIG_MAX_DIR_BYTES,
});

export interface ConfigFileText {
  /** The path for messages (relative to `base`). */
  file: string;
  text: string;
}

/**
 * Reads a config directory's files within the limits: a file over the per-file limit is a
 * document error naming it and the limit, and is never read; files that together pass the
 * directory's limit are one document error, and none is read (the config could not be served
 * anyway, and parsing it would hold up requests). Sizes are taken before reading and checked
 * again on the bytes read, in case a file grew in between. A file that cannot be read (it went
 * away during a reload) is an error of its own.
 */
export async function* readConfigFiles(
  dir: string,
  files: readonly string[],
  base: string,
  limits: ConfigLimits,
  issues: ConfigIssue[],
): AsyncGenerator<ConfigFileText> {
  const at = (file: string) => ({ file, line: 1, column: 1, field: "" });
  const sized: { path: string; file: string; size: number }[] = [];
  let total = 0;
  for (const path of files) {
    const file = relative(base, path);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      issues.push(unreadable(at(file), "config file cannot be read"));
      continue;
    }
    total += size;
    if (size > limits.fileBytes) issues.push(fileTooLarge(at(file), size, limits));
    else sized.push({ path, file, size });
  }
  if (total > limits.dirBytes) {
    const [over, limit] = formatOver(total, limits.dirBytes);
    issues.push(
      tooLarge(
        at(relative(base, dir) || dir),
        `the config files under this directory hold ${over}, over the limit of ${limit} for a config directory; nothing was loaded`,
      ),
    );
    return;
  }
  let read = 0;
  for (const { path, file } of sized) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      issues.push(unreadable(at(file), "config file cannot be read"));
      continue;
    }
    read += bytes.length;
    if (bytes.length > limits.fileBytes) {
      issues.push(fileTooLarge(at(file), bytes.length, limits));
      continue;
    }
    if (read > limits.dirBytes) {
      issues.push(
        tooLarge(
          at(file),
          `reading this file takes the config directory over its limit of ${formatBytes(limits.dirBytes)}; it and the files after it were not loaded`,
        ),
      );
      return;
    }
    yield { file, text: bytes.toString("utf8") };
  }
}

function fileTooLarge(loc: ConfigIssue["loc"], size: number, limits: ConfigLimits): ConfigIssue {
  const [over, limit] = formatOver(size, limits.fileBytes);
  return tooLarge(
    loc,
    `config file is ${over}, over the limit of ${limit} for one file; split it or trim it`,
  );
}

/** A size and its limit, in bytes when rounding would make them look the same. */
function formatOver(size: number, limit: number): [string, string] {
  const [a, b] = [formatBytes(size), formatBytes(limit)];
  return a === b ? [`${size} bytes`, `${limit} bytes`] : [a, b];
}

/** `4 MiB`, `5.2 MiB`, `300 bytes`. */
export function formatBytes(n: number): string {
  const mib = 1024 * 1024;
  if (n < mib) return n < 1024 ? `${n} bytes` : `${trim(n / 1024)} KiB`;
  return `${trim(n / mib)} MiB`;
}

function trim(x: number): string {
  return x.toFixed(1).replace(/\.0$/, "");
}
