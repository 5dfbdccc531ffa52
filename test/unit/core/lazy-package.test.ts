import { describe, expect, it } from "vitest";
import { lazyPackage } from "../../../src/core/lazy-package.js";
import { HooklineError } from "../../../src/errors/hookline-error.js";

/** The error Node's ESM resolver throws for a package that is not installed. */
function notFound(pkg: string, code = "ERR_MODULE_NOT_FOUND"): Error {
  const err = new Error(
    `Cannot find package '${pkg}' imported from /app/dist/src/cloudevents/cloudevent-sink.js`,
  );
  (err as NodeJS.ErrnoException).code = code;
  return err;
}

describe("lazyPackage", () => {
  it("imports on the first call only, and gives every later call the same promise", async () => {
    let imports = 0;
    const load = lazyPackage("some-package", "a test", () => {
      imports++;
      return Promise.resolve({ value: 42 });
    });
    expect(imports).toBe(0);
    const first = load();
    expect(load()).toBe(first);
    expect((await first).value).toBe(42);
    expect(load()).toBe(first);
    expect(imports).toBe(1);
  });

  it("turns a package that is not installed into HL_PACKAGE_MISSING naming it and its use", async () => {
    const load = lazyPackage("cloudevents", "sending CloudEvents (cloudEventURI)", () =>
      Promise.reject(notFound("cloudevents")),
    );
    const err: unknown = await load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect((err as HooklineError).code).toBe("HL_PACKAGE_MISSING");
    expect((err as HooklineError).details["package"]).toBe("cloudevents");
    expect((err as Error).message).toContain('"cloudevents"');
    expect((err as Error).message).toContain("sending CloudEvents");
    expect((err as Error).message).not.toContain("/app/dist");
  });

  it("names the package that is missing when it is one the named package needs", async () => {
    const load = lazyPackage("cloudevents", "sending CloudEvents", () =>
      Promise.reject(notFound("ajv", "MODULE_NOT_FOUND")),
    );
    const err = (await load().catch((e: unknown) => e)) as HooklineError;
    expect(err.code).toBe("HL_PACKAGE_MISSING");
    expect(err.details["package"]).toBe("ajv");
    expect(err.message).toContain('"ajv" (needed by "cloudevents")');
  });

  it("passes any other failure through unchanged, and tries again on the next call", async () => {
    const broken = new SyntaxError("Unexpected token");
    let calls = 0;
    const load = lazyPackage("some-package", "a test", () => {
      calls++;
      return calls === 1 ? Promise.reject(broken) : Promise.resolve("ok");
    });
    await expect(load()).rejects.toBe(broken);
    await expect(load()).resolves.toBe("ok");
    expect(calls).toBe(2);
  });

  it("leaves a missing file of hookline's own build to Node's message", async () => {
    const err = new Error("Cannot find module '/app/dist/src/x.js' imported from /app/dist/y.js");
    (err as NodeJS.ErrnoException).code = "ERR_MODULE_NOT_FOUND";
    const load = lazyPackage("some-package", "a test", () => Promise.reject(err));
    await expect(load()).rejects.toBe(err);
  });
});
