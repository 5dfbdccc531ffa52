import { Writable } from "node:stream";
import winston from "winston";
import type { LogFields, LogFormat, Logger, LogLevel } from "../core/logger.js";
import { textFormat } from "./text-format.js";

export type { Logger } from "../core/logger.js";

export interface LoggerOptions {
  /** Default `info`; commands pass HOOKLINE_LOG_LEVEL as their settings read it. */
  level?: string;
  /**
   * Where the JSON lines go: serve's io.stdout; replay's and dry-run's io.stderr (their stdout is
   * their YAML or JSON). Default: the console's stdout.
   */
  out?: { write(text: string): unknown };
  /** `json` (default): one JSON object a line; `text`: one readable line (src/log/text-format.ts). */
  format?: LogFormat;
  /** With `text`: colour the level (on a terminal that wants colour). */
  colour?: boolean;
  /** Extra transports (tests capture logs in memory through this). */
  transports?: winston.transport[];
  silent?: boolean;
}

/**
 * The one root logger: lines with timestamp, level, message and fields — JSON, or a readable line
 * for a terminal (`format: "text"`).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = winston.createLogger({
    level: options.level ?? "info",
    silent: options.silent ?? false,
    format: winston.format.combine(
      winston.format.timestamp(),
      options.format === "text" ? textFormat(options.colour ?? false) : winston.format.json(),
    ),
    defaultMeta: { service: "hookline" },
    transports: options.transports ?? [
      options.out === undefined
        ? new winston.transports.Console({ stderrLevels: [] })
        : new winston.transports.Stream({ stream: lineStream(options.out) }),
    ],
  });
  return wrapWinston(logger);
}

/** A stream onto `out.write` (a command's io.stdout) for winston's stream transport. */
function lineStream(out: { write(text: string): unknown }): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      out.write(chunk.toString());
      done();
    },
  });
}

/**
 * hookline's Logger over a winston logger. winston formats every entry (timestamp, JSON) before
 * its transports drop the ones below the level; on the listener's hot path that cost showed in the
 * bench, so each level method asks first whether its level is on.
 */
function wrapWinston(w: winston.Logger): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (!w.isLevelEnabled(level)) return;
      if (fields === undefined) w.log(level, message);
      else w.log(level, message, fields);
    };
  return {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    child: (fields) => wrapWinston(w.child(fields)),
    isLevelEnabled: (level) => w.isLevelEnabled(level),
  };
}
