import { formatIssue, loadConfigDir } from "../config/load-config.js";
import { createBuiltinRegistry } from "../interceptors/builtins.js";

/**
 * `hookline validate DIR`: prints every document and reference error (and warnings), exits 1 if
 * there is any error, else prints a one-line summary and exits 0.
 */
export async function runValidate(args: readonly string[]): Promise<number> {
  const quiet = args.includes("--quiet");
  const dirs = args.filter((a) => a !== "--quiet");
  const dir = dirs[0];
  if (dir === undefined || dirs.length > 1) {
    process.stderr.write("usage: hookline validate DIR\n");
    return 2;
  }
  const config = await loadConfigDir(dir, { registry: createBuiltinRegistry() });
  let errors = 0;
  let warnings = 0;
  const sorted = [...config.issues].sort(
    (a, b) =>
      a.loc.file.localeCompare(b.loc.file) ||
      a.loc.line - b.loc.line ||
      a.loc.column - b.loc.column,
  );
  for (const issue of sorted) {
    if (issue.severity === "note") {
      if (!quiet) process.stdout.write(`${formatIssue(issue)} (note)\n`);
      continue;
    }
    if (issue.severity === "error") errors++;
    else warnings++;
    const label =
      issue.severity === "error"
        ? issue.class === "reference"
          ? "reference error"
          : "error"
        : "warning";
    process.stderr.write(`${formatIssue(issue)} (${label})\n`);
  }
  if (errors > 0) {
    process.stderr.write(
      `${dir}: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}\n`,
    );
    return 1;
  }
  const c = config.counts;
  const triggers = config.listeners.reduce(
    (n, l) => n + l.triggers.length + l.groups.reduce((m, g) => m + g.triggers.length, 0),
    0,
  );
  process.stdout.write(
    `${dir}: valid — ${config.listeners.length} EventListener(s), ${triggers} trigger(s), ${c["TriggerBinding"] ?? 0} TriggerBinding(s), ${c["TriggerTemplate"] ?? 0} TriggerTemplate(s)${warnings > 0 ? `, ${warnings} warning(s)` : ""}\n`,
  );
  return 0;
}
