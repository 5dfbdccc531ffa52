import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { COMMANDS, commandFlags } from "../../../src/cli/commands.js";
import { main } from "../../../src/cli/main.js";
import { fakeIo } from "../../support/fake-io.js";

async function script(shell: string): Promise<string> {
  const io = fakeIo();
  expect(await main(["completion", shell], io)).toBe(0);
  return io.out();
}

/** What bash's completion offers for the words typed so far (the last one being completed). */
async function bashComplete(words: string[]): Promise<string[]> {
  const program = `${await script("bash")}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")})
COMP_CWORD=${words.length - 1}
_hookline
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync("bash", ["--norc", "--noprofile", "-c", program], {
    cwd: "/",
    encoding: "utf8",
  });
  return out.split("\n").filter((l) => l !== "");
}

describe("hookline completion bash|zsh|fish", () => {
  it("bash offers the commands after `hookline`", async () => {
    expect(await bashComplete(["hookline", "re"])).toEqual(["replay"]);
    const all = await bashComplete(["hookline", ""]);
    for (const c of COMMANDS) expect(all).toContain(c.name);
  });

  it.each(COMMANDS)("bash offers every flag $name takes, from its definition", async (command) => {
    const offered = await bashComplete(["hookline", command.name, "--"]);
    const flags = commandFlags(command).map((f) => `--${f.flag}`);
    expect(offered.sort()).toEqual([...flags, "--help"].sort());
  });

  it("bash offers a flag's fixed values, and files after a flag that takes a path", async () => {
    expect(await bashComplete(["hookline", "serve", "--sink", ""])).toEqual([
      "local",
      "kubernetes",
    ]);
    expect(await bashComplete(["hookline", "dry-run", "--output", "j"])).toEqual(["json"]);
    expect(await bashComplete(["hookline", "serve", "--config", "/e"])).toContain("/etc");
  });

  it.each(["zsh", "fish"])("the %s script names every command and every flag", async (shell) => {
    const text = await script(shell);
    for (const c of COMMANDS) {
      expect(text).toContain(c.name);
      for (const f of commandFlags(c))
        expect(text).toMatch(shell === "fish" ? ` -l ${f.flag}` : `--${f.flag}`);
    }
  });

  it("an unknown shell is a usage error naming the three", async () => {
    const io = fakeIo();
    expect(await main(["completion", "tcsh"], io)).toBe(2);
    expect(io.err()).toContain("bash, zsh, fish");
  });
});
