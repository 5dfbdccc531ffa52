import type { LogFields, Logger, LogLevel } from "../core/logger.js";
import { redactDeep, type SecretValues } from "../core/secret-values.js";

/**
 * A logger that replaces every known secret value in its lines — message, fields, and the fields
 * of its children — by `[redacted]` before `inner` writes them. `serve` wraps its root logger with
 * it, so every stage and interceptor logs through it. No work while no value is known.
 * @example const log = redactingLogger(root, secretValues);
 */
export function redactingLogger(inner: Logger, values: SecretValues): Logger {
  return new RedactingLogger(() => inner, inner, values);
}

/**
 * A child's inner logger (and the redaction of its fields) is made on its first line written:
 * most per-request and per-trigger children write none at the usual levels. Children share their
 * root's level, so `levels` (the root's inner logger) answers for all of them.
 */
class RedactingLogger implements Logger {
  #inner: Logger | undefined;

  constructor(
    private readonly make: () => Logger,
    private readonly levels: Logger,
    private readonly values: SecretValues,
  ) {}

  private inner(): Logger {
    return (this.#inner ??= this.make());
  }

  private write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (!this.levels.isLevelEnabled(level)) return;
    const text = this.values.redact(message);
    if (fields === undefined) this.inner()[level](text);
    else this.inner()[level](text, redactDeep(fields, this.values));
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
    return new RedactingLogger(
      () => this.inner().child(redactDeep(fields, this.values)),
      this.levels,
      this.values,
    );
  }
  isLevelEnabled(level: LogLevel): boolean {
    return this.levels.isLevelEnabled(level);
  }
}
