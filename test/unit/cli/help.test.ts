import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { COMMANDS, usageLines } from "../../../src/cli/commands.js";
import { main } from "../../../src/cli/main.js";
import { fakeIo } from "../../support/fake-io.js";

const manifest = JSON.parse(
  await readFile(new URL("../../../package.json", import.meta.url), "utf8"),
) as {
  version: string;
};

describe("hookline --help, --version and did-you-mean", () => {
  it.each(
    COMMANDS.filter((c) => !c.ownHelp).flatMap((c) => [
      { command: c, flag: "--help" },
      { command: c, flag: "-h" },
    ]),
  )(
    "$command.name $flag exits 0 and prints the command's usage from its one definition",
    async ({ command, flag }) => {
      const io = fakeIo({});
      // serve would otherwise start a listener and never return.
      expect(await main([command.name, flag], io)).toBe(0);
      expect(io.out()).toContain(usageLines(command, "usage: "));
      expect(io.err()).toBe("");
    },
  );

  it("the top-level help lists every command with the same usage lines", async () => {
    const io = fakeIo({});
    expect(await main(["--help"], io)).toBe(0);
    for (const command of COMMANDS) expect(io.out()).toContain(usageLines(command, "  "));
  });

  it("`help NAME` is that command's help", async () => {
    const io = fakeIo({});
    expect(await main(["help", "replay"], io)).toBe(0);
    expect(io.out()).toMatch(/^usage: hookline replay EVENT_ID/);
  });

  it("--help after `--` is an operand, not a request for help", async () => {
    const io = fakeIo({});
    expect(await main(["validate", "--", "--help"], io)).not.toBe(0);
    expect(io.out()).not.toContain("usage: hookline validate");
  });

  it.each(["--version", "-V", "version"])("%s prints package.json's version", async (flag) => {
    const io = fakeIo({});
    expect(await main([flag], io)).toBe(0);
    expect(io.out()).toBe(`hookline ${manifest.version}\n`);
  });

  it.each([
    ["serv", "serve"],
    ["dryrun", "dry-run"],
    ["valdiate", "validate"],
  ])("a misspelt %s suggests %s", async (typed, meant) => {
    const io = fakeIo({});
    expect(await main([typed], io)).toBe(2);
    expect(io.err()).toContain(`unknown command "${typed}" — did you mean "${meant}"?`);
  });

  it("a command nothing like one gets no suggestion", async () => {
    const io = fakeIo({});
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(io.err()).not.toContain("did you mean");
  });

  it("README's command block is the generated usage", async () => {
    const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
    const block = /## The `hookline` command\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(`${COMMANDS.map((c) => usageLines(c)).join("\n")}\n`);
  });
});
