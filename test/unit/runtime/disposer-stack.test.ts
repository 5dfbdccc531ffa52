import { describe, expect, it } from "vitest";
import { createDisposerStack } from "../../../src/runtime/disposer-stack.js";

describe("the disposer stack", () => {
  it("undoes in reverse order, waiting for each", async () => {
    const stack = createDisposerStack();
    const done: string[] = [];
    for (const name of ["journal", "admin port", "listener port"]) {
      stack.push(name, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        done.push(name);
      });
    }
    await stack.close();
    expect(done).toEqual(["listener port", "admin port", "journal"]);
  });

  it("undoes only what was pushed when building stops half-way", async () => {
    const stack = createDisposerStack();
    const done: string[] = [];
    const build = async (): Promise<void> => {
      stack.push("cluster config", () => void done.push("cluster config"));
      stack.push("journal", () => void done.push("journal"));
      await Promise.reject(new Error("the admin port is taken"));
      stack.push("admin port", () => void done.push("admin port"));
    };
    await expect(build()).rejects.toThrow("the admin port is taken");
    await stack.close();
    expect(done).toEqual(["journal", "cluster config"]);
  });

  it("keeps going when one fails, then throws naming it; a second close does nothing", async () => {
    const stack = createDisposerStack();
    const done: string[] = [];
    stack.push("journal", () => void done.push("journal"));
    stack.push("worker", () => {
      throw new Error("boom");
    });
    stack.push("server", () => void done.push("server"));
    await expect(stack.close()).rejects.toThrow("closing worker failed: boom");
    expect(done).toEqual(["server", "journal"]);
    await stack.close();
    expect(done).toEqual(["server", "journal"]);
  });

  it("reports every failure", async () => {
    const stack = createDisposerStack();
    stack.push("a", () => Promise.reject(new Error("one")));
    stack.push("b", () => Promise.reject(new Error("two")));
    await expect(stack.close()).rejects.toThrow(/closing b failed: two; closing a failed: one/);
  });
});
