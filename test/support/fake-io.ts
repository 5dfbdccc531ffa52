import type { CommandIo } from "../../src/cli/command-io.js";

/** A command's io for tests: what it wrote to stdout and stderr, and the environment it sees. */
export interface FakeIo extends CommandIo {
  out(): string;
  err(): string;
}

export function fakeIo(env: Readonly<Record<string, string | undefined>> = {}): FakeIo {
  let out = "";
  let err = "";
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env,
    out: () => out,
    err: () => err,
  };
}
