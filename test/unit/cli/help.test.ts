import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { COMMANDS, commandFlags, usageLines } from "../../../src/cli/commands.js";
import { main } from "../../../src/cli/main.js";
import { fakeIo } from "../../support/fake-io.js";

const manifest = JSON.parse(
  await readFile(new URL("../../../package.json", import.meta.url), "utf8"),
) as {
  version: string;
};

describe("hookline --help, --version and did-you-mean", () => {
  it.each(
    COMMANDS.flatMap((c) => [
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

  it("the top-level help's command list keeps a space between every name and its summary", async () => {
    const io = fakeIo({});
    expect(await main(["--help"], io)).toBe(0);
    for (const command of COMMANDS)
      expect(io.out()).toMatch(new RegExp(`^  ${command.name} +${escape(command.summary)}$`, "m"));
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

  it.each(COMMANDS)(
    "$name --help lists exactly the flags its parser takes (one definition)",
    async (command) => {
      const io = fakeIo({});
      expect(await main([command.name, "--help"], io)).toBe(0);
      const section = /\nOptions:\n([\s\S]*?)\n\n/.exec(io.out())?.[1] ?? "";
      const listed = [...section.matchAll(/^ {2}(?:-\w, )?\s*--([\w-]+)/gm)].map((m) => m[1]);
      const flags = commandFlags(command).map((f) => f.flag);
      expect(listed).toEqual([...flags, "help"]);
      // The parser takes each of them: a flag after all of them is the first one it refuses.
      const args = commandFlags(command).flatMap((f) =>
        f.arg === "switch" ? [`--${f.flag}`] : [`--${f.flag}`, "x"],
      );
      const run = fakeIo({});
      expect(await main([command.name, ...args, "--no-such-flag"], run)).toBe(2);
      expect(run.err()).toContain('unknown option "--no-such-flag"');
      // And the synopsis names every one of them.
      const synopsis = command.synopsis.join(" ");
      for (const f of commandFlags(command))
        expect([`--${f.flag}`, `-${f.short ?? f.flag} `].some((s) => synopsis.includes(s))).toBe(
          true,
        );
    },
  );

  it.each([
    ["serve", "--prot", "--port"],
    ["serve", "--all-listener", "--all-listeners"],
    ["validate", "--quite", "--quiet"],
    ["dry-run", "--paylod", "--payload"],
    ["replay", "--dryrun", "--dry-run"],
    ["sign", "--secret-fle", "--secret-file"],
  ])("%s %s suggests %s", async (name, typed, meant) => {
    const io = fakeIo({});
    expect(await main([name, typed, "x"], io)).toBe(2);
    expect(io.err()).toContain(`unknown option "${typed}" — did you mean "${meant}"?`);
  });

  it("a flag nothing like one gets no suggestion", async () => {
    const io = fakeIo({});
    expect(await main(["validate", "--frobnicate", "dir"], io)).toBe(2);
    expect(io.err()).toContain('unknown option "--frobnicate"');
    expect(io.err()).not.toContain("did you mean");
  });

  it("README's command block is the generated usage", async () => {
    const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
    const block = /## The `hookline` command\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(`${COMMANDS.map((c) => usageLines(c)).join("\n")}\n`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
