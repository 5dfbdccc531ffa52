import type { CommandIo } from "../../src/cli/command-io.js";

/** A command's io for tests: what it wrote to stdout and stderr, and the environment it sees. */
export interface FakeIo extends CommandIo {
  out(): string;
  err(): string;
}

/** `tty`: stdout and stderr say they are a terminal (as process.stdout.isTTY does). */
export function fakeIo(
  env: Readonly<Record<string, string | undefined>> = {},
  options: { tty?: boolean } = {},
): FakeIo {
  let out = "";
  let err = "";
  const isTTY = options.tty ?? false;
  return {
    stdout: { write: (text: string) => (out += text), isTTY },
    stderr: { write: (text: string) => (err += text), isTTY },
    env,
    out: () => out,
    err: () => err,
  };
}
