import { HooklineError } from "../errors/hookline-error.js";
import type { Sink } from "./types.js";

/**
 * The concurrency operations of a sink that does not implement them yet (issue 12 in progress):
 * every call is a permanent failure naming the sink. Replaced sink by sink.
 */
export function unsupportedGroupOps(sink: string): Pick<Sink, "cancel" | "start"> {
  const refuse = (): Promise<never> =>
    Promise.reject(
      new HooklineError(
        "HL_SINK_WRITE_FAILED",
        `the ${sink} sink does not cancel or start runs of concurrency groups yet`,
        { retryable: false },
      ),
    );
  return { cancel: refuse, start: refuse };
}
