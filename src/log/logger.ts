import winston from "winston";

/** The logger every stage receives; child loggers carry eventId, trigger, interceptor. */
export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  /** Extra transports (tests capture logs in memory through this). */
  transports?: winston.transport[];
  silent?: boolean;
}

/** The one root logger: JSON lines with timestamp, level, message and fields. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return winston.createLogger({
    level: options.level ?? process.env["HOOKLINE_LOG_LEVEL"] ?? "info",
    silent: options.silent ?? false,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: "hookline" },
    transports: options.transports ?? [new winston.transports.Console({ stderrLevels: [] })],
  });
}
