import { access, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HooklineError } from "../../errors/hookline-error.js";
import { CORE_INTERCEPTOR_NAMES } from "../registry.js";
import type { Interceptor } from "../types.js";
import { wrapPlugin } from "./wrap-plugin.js";

/** A plug-in as loaded: the interceptor and the file it came from. */
export interface LoadedPlugin {
  interceptor: Interceptor<unknown>;
  file: string;
}

/** Interceptor names are Kubernetes object names: what a `ref.name` can say. */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Loads every plug-in under `dir`: each folder's `index.js`, an ES module whose default export
 * (or only export) is an interceptor `{ name, parseParams, process }`. Folders starting with `.`
 * are skipped. Every problem — a folder without index.js, an import that throws, a wrong shape,
 * a core interceptor's name, a name taken twice — is collected, and one HooklineError
 * (HL_CONFIG_INVALID) lists them all, so that `serve` refuses to start.
 */
export async function loadPlugins(dir: string): Promise<LoadedPlugin[]> {
  const root = resolve(dir);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    throw new HooklineError(
      "HL_CONFIG_INVALID",
      `interceptors directory ${dir} cannot be read: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : (err as Error).message}`,
      { file: dir },
      { cause: err },
    );
  }
  const problems: string[] = [];
  const loaded: LoadedPlugin[] = [];
  const folders = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  for (const folder of folders) {
    const file = join(root, folder, "index.js");
    const shown = join(dir, folder, "index.js");
    try {
      await access(file);
    } catch {
      problems.push(`${join(dir, folder)}: no index.js (build the plug-in first)`);
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      problems.push(`${shown}: cannot be imported: ${(err as Error).message}`);
      continue;
    }
    const found = pickExport(mod);
    if (typeof found === "string") {
      problems.push(`${shown}: ${found}`);
      continue;
    }
    const shape = checkShape(found);
    if (shape !== undefined) {
      problems.push(`${shown}: ${shape}`);
      continue;
    }
    const plugin = found as Interceptor<unknown>;
    if (CORE_INTERCEPTOR_NAMES.has(plugin.name)) {
      problems.push(
        `${shown}: the name "${plugin.name}" belongs to a core interceptor, which plug-ins cannot replace; choose another name`,
      );
      continue;
    }
    const twice = loaded.find((p) => p.interceptor.name === plugin.name);
    if (twice !== undefined) {
      problems.push(`${shown}: the name "${plugin.name}" is taken by ${twice.file} already`);
      continue;
    }
    loaded.push({ interceptor: wrapPlugin(plugin, shown), file: shown });
  }
  if (problems.length > 0) {
    throw new HooklineError(
      "HL_CONFIG_INVALID",
      `${problems.length === 1 ? "a plug-in" : `${problems.length} plug-ins`} in ${dir} could not be loaded:\n  ${problems.join("\n  ")}`,
      { file: dir },
    );
  }
  return loaded;
}

function pickExport(mod: Record<string, unknown>): unknown {
  if (mod["default"] !== undefined) return mod["default"];
  const named = Object.keys(mod);
  if (named.length === 1) return mod[named[0] ?? ""];
  return named.length === 0
    ? "exports nothing; export the interceptor as the default export"
    : `exports ${named.join(", ")}; export the interceptor as the default export`;
}

function checkShape(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null)
    return "the export is not an interceptor object { name, parseParams, process }";
  const v = value as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof v["name"] !== "string") missing.push("name (a string)");
  if (typeof v["parseParams"] !== "function") missing.push("parseParams (a function)");
  if (typeof v["process"] !== "function") missing.push("process (a function)");
  if (missing.length > 0) return `the interceptor has no ${missing.join(", ")}`;
  if (!NAME.test(v["name"] as string))
    return `invalid name "${String(v["name"])}": use lower-case letters, digits, "-" and "."`;
  return undefined;
}
