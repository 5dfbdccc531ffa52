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
