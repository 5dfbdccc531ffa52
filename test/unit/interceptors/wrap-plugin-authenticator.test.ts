import { describe, expect, it } from "vitest";
import { wrapPlugin } from "../../../src/interceptors/plugins/wrap-plugin.js";
import { accept, reject, type Interceptor } from "../../../src/interceptors/public.js";
import { makeContext } from "../../support/interceptor-harness.js";

const raw = { body: Buffer.from("{}"), header: { "X-Key": ["k"] } };

function plugin(authenticator: Interceptor<unknown>["authenticator"]): Interceptor<unknown> {
  return {
    name: "keyed",
    parseParams: (p) => p,
    process: () => accept(),
    ...(authenticator === undefined ? {} : { authenticator }),
  };
}

describe("a plug-in's authenticator", () => {
  it("is passed on, its answers checked like process's", async () => {
    const wrapped = wrapPlugin(
      plugin(
        () => () =>
          Promise.resolve(reject("FAILED_PRECONDITION", "bad key", { authFailure: true })),
      ),
      "keyed/index.js",
    );
    const authenticate = wrapped.authenticator?.({});
    expect(await authenticate?.(raw, makeContext())).toEqual({
      continue: false,
      status: { code: "FAILED_PRECONDITION", message: "bad key" },
      authFailure: true,
    });
  });

  it("is refused when it answers something that is not an InterceptorResponse", async () => {
    const wrapped = wrapPlugin(
      plugin(() => () => Promise.resolve({ ok: true } as never)),
      "keyed/index.js",
    );
    await expect(wrapped.authenticator?.({})?.(raw, makeContext())).rejects.toThrow(
      /not an InterceptorResponse/,
    );
  });

  it("is absent when the plug-in has none, or when it throws at load", () => {
    expect(wrapPlugin(plugin(undefined), "f").authenticator?.({})).toBeUndefined();
    const throws = plugin(() => {
      throw new Error("no");
    });
    expect(wrapPlugin(throws, "f").authenticator?.({})).toBeUndefined();
  });
});
