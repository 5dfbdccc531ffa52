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
  const logger = winston.createLogger({
    level: options.level ?? process.env["HOOKLINE_LOG_LEVEL"] ?? "info",
    silent: options.silent ?? false,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: "hookline" },
    transports: options.transports ?? [new winston.transports.Console({ stderrLevels: [] })],
  });
  skipDisabledLevels(logger);
  return logger;
}

/**
 * winston formats every entry (timestamp, JSON) before its transports drop the ones below the
 * level; on the listener's hot path that cost showed in the bench. Each level method first asks
 * whether its level is on. Child loggers inherit these methods, and with them the check.
 */
function skipDisabledLevels(logger: Logger): void {
  const target = logger as unknown as Record<string, unknown>;
  for (const level of Object.keys(logger.levels)) {
    const original = target[level];
    if (typeof original !== "function") continue;
    target[level] = function (this: Logger, ...args: unknown[]): Logger {
      if (!this.isLevelEnabled(level)) return this;
      return (original as (...a: unknown[]) => Logger).apply(this, args);
    };
  }
}
