/** The levels hookline logs at, most severe first (winston's npm levels, the ones used). */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** How log lines are written: JSON for machines, one readable line for a person at a terminal. */
export type LogFormat = "json" | "text";

/** Structured fields of a log line: data goes here, never into the message. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logger every stage and every interceptor (plug-ins included) receives: hookline's own narrow
 * port, so no stage depends on the logging library. `src/log/logger.ts` implements it with winston.
 * Child loggers carry correlation fields (eventId, trigger, interceptor) into every line.
 */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger whose lines carry `fields` too. */
  child(fields: LogFields): Logger;
  /** Whether a line at `level` would be written: skip work that only feeds a dropped line. */
  isLevelEnabled(level: LogLevel): boolean;
}
