import { mkdtempSync, readdirSync, readFileSync, symlinkSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const made = new Map<string, string>();

/**
 * Several files of Tekton's examples (`rbac.yaml`, `cron/triggertemplate.yaml`) are git symlinks
 * upstream; the copy in ../shared holds each link's target path as text. This lays a folder out
 * as a checkout with symlink support would: a temp dir of symlinks, the stubs pointing at their
 * targets. hookline then reads it as it reads a user's directory.
 */
export function exampleDir(folder: string): string {
  const hit = made.get(folder);
  if (hit !== undefined) return hit;
  const dir = mkdtempSync(join(tmpdir(), "hookline-example-"));
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) continue;
    const stub = stubTarget(path);
    symlinkSync(
      stub !== undefined && existsSync(resolve(folder, stub)) ? resolve(folder, stub) : path,
      join(dir, name),
    );
  }
  made.set(folder, dir);
  return dir;
}

export function stubTarget(file: string): string | undefined {
  try {
    const text = readFileSync(file, "utf8").trim();
    return /^[\w./-]+\.ya?ml$/.test(text) && text.includes("/") ? text : undefined;
  } catch {
    return undefined;
  }
}
