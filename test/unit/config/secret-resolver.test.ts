import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSecretResolver } from "../../../src/config/secret-resolver.js";
import { createSecretValues } from "../../../src/core/secret-values.js";

describe("createSecretResolver's values", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("knows the config's Secrets at once, and every value it hands out", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hookline-secrets-"));
    dirs.push(dir);
    await mkdir(join(dir, "from-dir"));
    await writeFile(join(dir, "from-dir", "token"), "dir-secret-value\n");
    const values = createSecretValues();
    const resolver = createSecretResolver({
      fromConfig: new Map([["default/in-config", { token: Buffer.from("config-secret-value") }]]),
      dir,
      values,
    });
    expect(values.redact("config-secret-value")).toBe("[redacted]");
    expect(values.holdsSecret("dir-secret-value")).toBe(false);
    const got = await resolver.get({ secretName: "from-dir", secretKey: "token" }, "default");
    expect(got.toString()).toBe("dir-secret-value\n");
    expect(values.redact("x dir-secret-value")).toBe("x [redacted]");
  });
});
