import { linkSync, unlinkSync, writeFileSync } from "node:fs";

/** What creating one resource file came to: a name already taken is not an error here. */
export type CreateOutcome =
  { kind: "created" } | { kind: "exists" } | { kind: "failed"; code: string };

/**
 * Writes `text` to the temporary `tmp` (opened O_EXCL) and hard-links it to `path`, which fails
 * if the name is taken (never overwritten); the temporary file is removed either way. Runs in the
 * file writer's thread (file-writer.ts), or in this one where there is none.
 */
export function createFile(tmp: string, path: string, text: string): CreateOutcome {
  try {
    writeFileSync(tmp, text, { flag: "wx" });
    linkSync(tmp, path);
    return { kind: "created" };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    return code === "EEXIST" ? { kind: "exists" } : { kind: "failed", code };
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Never written, or already gone: nothing to clean up.
    }
  }
}
