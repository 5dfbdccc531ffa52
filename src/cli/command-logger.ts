import type { LogFormat, LogLevel } from "../core/logger.js";
import { createLogger, type Logger } from "../log/logger.js";
import type { Environment } from "../settings/read-option.js";
import type { TextOut } from "./command-io.js";

/**
 * A command's root logger onto `out` (serve: stdout; replay, dry-run: stderr): HOOKLINE_LOG_FORMAT
 * if set, else JSON unless `out` is a terminal, where a person reads it as text. Colour only on a
 * terminal, and not with NO_COLOR (https://no-color.org) or TERM=dumb.
 */
export function createCommandLogger(
  settings: { logLevel: LogLevel; logFormat: LogFormat | undefined },
  out: TextOut,
  env: Environment,
): Logger {
  const terminal = out.isTTY === true;
  const format = settings.logFormat ?? (terminal ? "text" : "json");
  return createLogger({
    level: settings.logLevel,
    out,
    format,
    colour: format === "text" && wantsColour(out, env),
  });
}

/** Whether text written to `out` may carry ANSI colour. */
export function wantsColour(out: TextOut, env: Environment): boolean {
  return out.isTTY === true && (env["NO_COLOR"] ?? "") === "" && env["TERM"] !== "dumb";
}
