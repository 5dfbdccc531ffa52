import express, { type Express } from "express";
import { checkingAnswers } from "./capture-answers.js";
import { createAdminApp } from "../../src/admin/create-admin-app.js";
import { createMetrics, type Metrics } from "../../src/admin/metrics.js";
import { createMemoryJournal } from "../../src/store/memory-journal.js";
import { createSecretResolver } from "../../src/config/secret-resolver.js";
import { replayEvent } from "../../src/listener/replay-event.js";
import { createTestApp, type TestApp, type TestAppOptions } from "./test-app.js";

export interface TestAdmin {
  app: TestApp;
  admin: Express;
  metrics: Metrics;
}

/** A listener app and the admin app on the same journal, as `hookline serve` wires them. */
export async function createTestAdmin(
  configDir: string,
  options: TestAppOptions & { token?: string; allowedHosts?: readonly string[] } = {},
): Promise<TestAdmin> {
  const { token, allowedHosts, ...appOptions } = options;
  const journal = appOptions.journal ?? createMemoryJournal();
  const metrics = createMetrics(journal);
  const app = await createTestApp(configDir, { ...appOptions, journal, metrics });
  const admin = createAdminApp({
    journal: app.journal,
    metrics,
    log: app.log,
    token,
    allowedHosts,
    replay: async (event) => {
      const result = await replayEvent(event, {
        config: app.config,
        secrets: createSecretResolver({
          fromConfig: app.config.secrets,
          values: app.secretValues,
        }),
        secretValues: app.secretValues,
        log: app.log,
        deadlineMs: 2000,
        journal: app.journal,
      });
      app.worker.wake();
      return result;
    },
  });
  const checked = express();
  checked.use((req, res, next) => checkingAnswers("admin", () => next())(req, res));
  checked.use(admin);
  return { app, admin: checked, metrics };
}
