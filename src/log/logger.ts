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
 * bench, so each level method asks first whether its level is on. A child's winston logger is made
 * on its first line written: the per-request and per-trigger children mostly write none.
 */
function wrapWinston(root: winston.Logger): Logger {
  return new WinstonLogger(root, () => root);
}

class WinstonLogger implements Logger {
  #own: winston.Logger | undefined;

  constructor(
    /** Decides the level for every child (a winston child shares its parent's level). */
    private readonly root: winston.Logger,
    private readonly make: () => winston.Logger,
  ) {}

  private own(): winston.Logger {
    return (this.#own ??= this.make());
  }

  private write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (!this.root.isLevelEnabled(level)) return;
    if (fields === undefined) this.own().log(level, message);
    else this.own().log(level, message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write("error", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write("warn", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write("info", message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.write("debug", message, fields);
  }
  child(fields: LogFields): Logger {
    return new WinstonLogger(this.root, () => this.own().child(fields));
  }
  isLevelEnabled(level: LogLevel): boolean {
    return this.root.isLevelEnabled(level);
  }
}
