import { HooklineError } from "../../src/errors/hookline-error.js";
import type { PatchedTarget } from "../../src/sinks/types.js";

/** A test sink's `patch` for tests that plan no Patch: any call is a permanent failure. */
export function noPatches(): Promise<PatchedTarget> {
  return Promise.reject(
    new HooklineError("HL_SINK_WRITE_FAILED", "this test sink applies no patches", {
      retryable: false,
    }),
  );
}

/**
 * A test sink's concurrency operations (cancel, start) for tests that plan no
 * concurrency group: any call is a permanent failure.
 */
export const noGroupOps = {
  cancel: (): Promise<never> => refuse("cancels no runs"),
  start: (): Promise<never> => refuse("starts no runs"),
};

function refuse(what: string): Promise<never> {
  return Promise.reject(
    new HooklineError("HL_SINK_WRITE_FAILED", `this test sink ${what}`, { retryable: false }),
  );
}
