import { HooklineError } from "../errors/hookline-error.js";

/**
 * A package that only some configurations use, imported when first asked for rather than at
 * start-up (docs/architecture.md, "What is loaded when"). The first call starts the import;
 * every later call gets the same promise, so after the first use nothing is resolved or compiled
 * again. `load` is the `import()` itself, written at the call site so that TypeScript types it
 * from the package: `lazyPackage("pg", "the PostgreSQL journal", () => import("pg"))`.
 *
 * A package that cannot be found (the one named, or one it needs) is a HooklineError
 * `HL_PACKAGE_MISSING` naming it and what needed it, instead of Node's resolver message with a
 * path inside dist/. A failed import is not remembered: the next call tries again.
 */
export function lazyPackage<T>(
  name: string,
  purpose: string,
  load: () => Promise<T>,
): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw missingPackage(err, name, purpose) ?? err;
    }));
}

/** Node's "Cannot find package 'x' imported from …" as a HooklineError, or undefined. */
function missingPackage(err: unknown, name: string, purpose: string): HooklineError | undefined {
  // ERR_MODULE_NOT_FOUND from an import; MODULE_NOT_FOUND from a require inside a CommonJS package.
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  if (!(err instanceof Error) || (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND"))
    return undefined;
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(err.message)?.[1];
  // A file of hookline's own build that is gone is not a package to install: Node's text is best.
  if (missing === undefined || missing.startsWith("/") || missing.startsWith(".")) return undefined;
  const which =
    missing === name ? `the package "${name}"` : `the package "${missing}" (needed by "${name}")`;
  return new HooklineError(
    "HL_PACKAGE_MISSING",
    `${which} is not installed, and hookline needs it for ${purpose}: reinstall hookline's dependencies (npm ci), or use the container image`,
    { package: missing },
    { cause: err },
  );
}
