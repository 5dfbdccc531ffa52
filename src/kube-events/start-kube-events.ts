import type { KubeConfig } from "@kubernetes/client-node";
import type { CompiledConfig } from "../config/compiled.js";
import type { Logger } from "../core/logger.js";
import type { Journal } from "../store/types.js";
import { createKubeEventApi } from "./create-kube-event-api.js";
import { createKubeEventRecorder, type KubeEventRecorderOptions } from "./create-event-recorder.js";
import { createKubeEventReporter, type KubeEventReporter } from "./create-kube-event-reporter.js";

export interface KubeEvents {
  reporter: KubeEventReporter;
  /** Waits for the Events being sent; drops the rest. */
  close(): Promise<void>;
}

/** The reporter on a recorder on the cluster's Events API: what the runtime wires in. */
export function startKubeEvents(options: {
  kubeConfig: KubeConfig;
  journal: Pick<Journal, "getEvent">;
  config: () => CompiledConfig;
  createdInCluster: boolean;
  log: Logger;
  tuning?: Omit<KubeEventRecorderOptions, "api" | "log"> | undefined;
}): KubeEvents {
  const recorder = createKubeEventRecorder({
    ...options.tuning,
    api: createKubeEventApi(options.kubeConfig),
    log: options.log,
  });
  const reporter = createKubeEventReporter({ ...options, recorder });
  return { reporter, close: () => recorder.close() };
}
