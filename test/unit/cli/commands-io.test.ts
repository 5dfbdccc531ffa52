import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { fakeIo } from "../../support/fake-io.js";
import { EXAMPLE_CONFIG } from "../../support/fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-cli-io-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("commands on a fake io", () => {
  it("serve: a bad variable in io.env is exit 2, named on io.stderr", async () => {
    const io = fakeIo({ PORT: "eighty" });
    expect(await main(["serve"], io)).toBe(2);
    expect(io.err()).toBe(
      'hookline serve: invalid port "eighty" (PORT): use a port number from 0 to 65535\n',
    );
    expect(io.out()).toBe("");
  });

  it("serve: the admin token never reaches io when start-up fails", async () => {
    const token = "t0ken-that-must-not-show";
    const io = fakeIo({ HOOKLINE_ADMIN_TOKEN: token, HOOKLINE_ADMIN_ADDR: "0.0.0.0:0" });
    const code = await main(
      ["serve", "--config", join(dir, "missing"), "--store", "memory", "--port", "0"],
      io,
    );
    expect(code).toBe(1);
    // The log lines (JSON) go to io.stdout, as to the process's stdout in production.
    expect(io.out()).toContain('"message":"hookline could not start"');
    expect(io.out() + io.err()).not.toContain(token);
  });

  it("serve and validate: an invalid config prints HL_CONFIG_INVALID, on each error and on the verdict", async () => {
    const config = join(dir, "invalid");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(config, { recursive: true });
    await writeFile(
      join(config, "el.yaml"),
      "apiVersion: triggers.tekton.dev/v1beta1\nkind: EventListener\nmetadata:\n  name: el\nspec:\n  triggerz: []\n",
    );
    const served = fakeIo();
    const args = ["--config", config, "--store", "memory", "--port", "0", "--admin", "127.0.0.1:0"];
    expect(await main(["serve", ...args], served)).toBe(1);
    const logLines = served
      .out()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logLines).toContainEqual(
      expect.objectContaining({ message: "config error", code: "HL_CONFIG_INVALID" }),
    );
    expect(logLines).toContainEqual(
      expect.objectContaining({ message: "hookline could not start", code: "HL_CONFIG_INVALID" }),
    );
    const validated = fakeIo();
    expect(await main(["validate", config], validated)).toBe(1);
    expect(validated.err()).toMatch(
      /el\.yaml:6:3 spec\.triggerz: .* \(error HL_CONFIG_INVALID\)$/m,
    );
    expect(validated.err()).toMatch(/: 2 errors, 0 warnings \(HL_CONFIG_INVALID\)\n$/);
  });

  it("validate reads HOOKLINE_INTERCEPTORS_DIR from io.env, not from the process", async () => {
    const config = join(dir, "config");
    await rm(config, { recursive: true, force: true });
    const { mkdir } = await import("node:fs/promises");
    await mkdir(config);
    await writeFile(join(config, "empty.yaml"), "");
    const broken = join(dir, "no-plugins-here");
    const withEnv = fakeIo({ HOOKLINE_INTERCEPTORS_DIR: broken });
    expect(await main(["validate", config], withEnv)).toBe(1);
    expect(withEnv.err()).toContain(broken);
    const without = fakeIo();
    expect(await main(["validate", config], without)).toBe(0);
    expect(without.out()).toContain("valid");
  });

  it("dry-run: a bad HOOKLINE_LOG_LEVEL is exit 2 with the usage", async () => {
    const io = fakeIo({ HOOKLINE_LOG_LEVEL: "chatty" });
    const code = await main(
      ["dry-run", "--config", EXAMPLE_CONFIG, "--payload", join(dir, "p.json")],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toMatch(
      /^hookline dry-run: invalid log level "chatty" \(HOOKLINE_LOG_LEVEL\)/,
    );
  });

  it("help goes to io.stdout and lists the environment from the option table", async () => {
    const io = fakeIo();
    expect(await main(["help"], io)).toBe(0);
    expect(io.out()).toMatch(/Environment: PORT, HOOKLINE_SINK, HOOKLINE_STORE/);
    expect(io.out()).toContain("HOOKLINE_GITHUB_ENTERPRISE_HOSTS");
  });
});
