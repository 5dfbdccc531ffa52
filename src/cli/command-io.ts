import type { Environment } from "../settings/read-option.js";

/** Somewhere a command writes text (process.stdout, or a test's buffer). */
export interface TextOut {
  write(text: string): unknown;
  /** True when it is a terminal (process.stdout.isTTY): text logs and colour then. */
  readonly isTTY?: boolean;
}

/**
 * What a command reads and writes besides its arguments and files: bin/hookline.js passes the
 * process's, tests their own. No command touches process.stdout, process.stderr or process.env.
 */
export interface CommandIo {
  readonly stdout: TextOut;
  readonly stderr: TextOut;
  readonly env: Environment;
}
