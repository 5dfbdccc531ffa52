import type { LogFields, Logger, LogLevel } from "../core/logger.js";
import { redactDeep, type SecretValues } from "../core/secret-values.js";

/**
 * A logger that replaces every known secret value in its lines — message, fields, and the fields
 * of its children — by `[redacted]` before `inner` writes them. `serve` wraps its root logger with
 * it, so every stage and interceptor logs through it. No work while no value is known.
 * @example const log = redactingLogger(root, secretValues);
 */
export function redactingLogger(inner: Logger, values: SecretValues): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (!inner.isLevelEnabled(level)) return;
      const text = values.redact(message);
      if (fields === undefined) inner[level](text);
      else inner[level](text, redactDeep(fields, values));
    };
  return {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    child: (fields) => redactingLogger(inner.child(redactDeep(fields, values)), values),
    isLevelEnabled: (level) => inner.isLevelEnabled(level),
  };
}
