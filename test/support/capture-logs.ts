import Transport from "winston-transport";
import { createLogger, type Logger } from "../../src/log/logger.js";

/** A winston transport that keeps every log entry in memory, for assertions. */
export class MemoryTransport extends Transport {
  readonly entries: Record<string, unknown>[] = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    this.entries.push(info);
    next();
  }
  /** Every entry as one JSON text: search it for what must never be logged. */
  text(): string {
    return this.entries.map((e) => JSON.stringify(e)).join("\n");
  }
}

export function createCapturingLogger(): { log: Logger; logs: MemoryTransport } {
  const logs = new MemoryTransport();
  return { log: createLogger({ level: "debug", transports: [logs] }), logs };
}
