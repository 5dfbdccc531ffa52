import { checkSecretRefs } from "../config/check-secret-refs.js";
import { compileConfigInTurns } from "../config/compile-config.js";
import { decodeConfigDir, formatIssue } from "../config/load-config.js";
import { createInterceptorRegistry } from "../interceptors/plugins/create-interceptor-registry.js";
import { OPTIONS } from "../settings/option-definitions.js";
import { readOption } from "../settings/read-option.js";
import { parseFlags } from "../settings/parse-settings.js";
import type { CommandIo } from "./command-io.js";
import { ownArgsOptions, usageLines, VALIDATE_USAGE } from "./command-usage.js";
import { settingsFailure } from "./settings-failure.js";

/**
 * `hookline validate DIR`: prints every document and reference error (and warnings: a secretRef
 * found neither in the config nor in the secrets directory, say), exits 1 if there is any error,
 * else prints a one-line summary and exits 0.
 */
export async function runValidate(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(args, VALIDATE_USAGE.settings, ownArgsOptions(VALIDATE_USAGE), true);
  } catch (err) {
    return settingsFailure("validate", err, io);
  }
  const quiet = parsed.values["quiet"] === true;
  const dirs = parsed.positionals;
  const dir = dirs[0];
  if (dir === undefined || dirs.length > 1) {
    io.stderr.write(`${usageLines(VALIDATE_USAGE, "usage: ")}\n`);
    return 2;
  }
  let registry;
  try {
    registry = await createInterceptorRegistry(
      readOption(OPTIONS.interceptors, parsed.values, io.env),
    );
  } catch (err) {
    // A broken plug-in is an error of this configuration: listed, and exit 1.
    io.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const decoded = await decodeConfigDir(dir, { registry });
  const config = await compileConfigInTurns(decoded);
  // Every secretRef is looked up where serve would find it offline: the config, the secrets dir.
  const secretIssues = checkSecretRefs(decoded, {
    fromConfig: config.secrets,
    dir: readOption(OPTIONS.secrets, parsed.values, io.env),
  });
  let errors = 0;
  let warnings = 0;
  const sorted = [...config.issues, ...secretIssues].sort(
    (a, b) =>
      a.loc.file.localeCompare(b.loc.file) ||
      a.loc.line - b.loc.line ||
      a.loc.column - b.loc.column,
  );
  for (const issue of sorted) {
    if (issue.severity === "note") {
      if (!quiet) io.stdout.write(`${formatIssue(issue)} (note)\n`);
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
    io.stderr.write(
      `${formatIssue(issue)} (${label}${issue.code === undefined ? "" : ` ${issue.code}`})\n`,
    );
  }
  if (errors > 0) {
    // The whole config's verdict carries the code serve stops with, so that scripts can match either.
    io.stderr.write(
      `${dir}: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"} (HL_CONFIG_INVALID)\n`,
    );
    return 1;
  }
  const c = config.counts;
  const triggers = config.listeners.reduce(
    (n, l) => n + l.triggers.length + l.groups.reduce((m, g) => m + g.triggers.length, 0),
    0,
  );
  io.stdout.write(
    `${dir}: valid — ${config.listeners.length} EventListener(s), ${triggers} trigger(s), ${c["TriggerBinding"] ?? 0} TriggerBinding(s), ${c["TriggerTemplate"] ?? 0} TriggerTemplate(s)${warnings > 0 ? `, ${warnings} warning(s)` : ""}\n`,
  );
  return 0;
}
