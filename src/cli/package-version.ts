import { readFileSync } from "node:fs";

/**
 * hookline's version from its package.json, found by walking up from this module (it runs from
 * src/cli under tsx/vitest and from dist/src/cli when built, at different depths).
 */
export function packageVersion(): string {
  let dir = new URL(".", import.meta.url);
  for (let depth = 0; depth < 5; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as unknown;
      if (isHooklineManifest(manifest)) return manifest.version;
    } catch {
      // not here: one folder up
    }
    dir = new URL("..", dir);
  }
  return "unknown";
}

function isHooklineManifest(value: unknown): value is { name: string; version: string } {
  if (typeof value !== "object" || value === null) return false;
  const { name, version } = value as Record<string, unknown>;
  return name === "hookline" && typeof version === "string";
}
