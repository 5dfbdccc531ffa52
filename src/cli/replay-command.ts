import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { createSecretResolver } from "../config/secret-resolver.js";
import { createDeliveryWorker } from "../delivery/delivery-worker.js";
import { replayEvent } from "../listener/replay-event.js";
import { createLogger } from "../log/logger.js";
import { createLocalSink } from "../sinks/local/local-sink.js";
import { createJournal } from "../store/create-journal.js";
import { DEFAULT_DEADLINE_MS } from "../app.js";
import { loadCliConfig } from "./load-cli-config.js";

/**
 * `hookline replay EVENT_ID`: runs a stored event again through the current config, on the
 * journal directly, as a new event linked to the original; its resources are delivered before the
 * command exits (a running server sharing the journal may deliver them instead: claims keep them
 * from being created twice). `--dry-run` shows what would be created and stores nothing.
 */
export async function runReplay(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        config: { type: "string", default: "examples/config" },
        store: { type: "string" },
        out: { type: "string", default: "./out" },
        secrets: { type: "string" },
        interceptors: { type: "string" },
        "dry-run": { type: "boolean", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`hookline replay: ${(err as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) {
    process.stderr.write(
      "usage: hookline replay EVENT_ID [--dry-run] [--config DIR] [--store STORE] [--out DIR] [--secrets DIR]\n",
    );
    return 2;
  }
  const log = createLogger({ level: process.env["HOOKLINE_LOG_LEVEL"] ?? "warn" });
  const config = await loadCliConfig("replay", values.config, values.interceptors);
  if (config === 2) return 2;
  const journal = await createJournal(values.store ?? process.env["HOOKLINE_STORE"]);
  try {
    const original = await journal.getEvent(id);
    if (original === undefined) {
      process.stderr.write(`hookline replay: no event ${id} in the journal\n`);
      return 1;
    }
    const dryRun = values["dry-run"];
    const result = await replayEvent(original, {
      config,
      secrets: createSecretResolver({
        fromConfig: config.secrets,
        dir: values.secrets ?? process.env["HOOKLINE_SECRETS_DIR"],
      }),
      log,
      deadlineMs: DEFAULT_DEADLINE_MS,
      journal: dryRun ? undefined : journal,
    });
    const triggers = result.event.traces.map((t) => ({
      trigger: t.trigger,
      outcome: t.outcome.kind,
      ...(t.outcome.kind === "fired"
        ? {}
        : {
            reason:
              "message" in t.outcome
                ? t.outcome.message
                : `timed out after ${"afterMs" in t.outcome ? t.outcome.afterMs : 0} ms`,
          }),
    }));
    if (!dryRun && result.runs.length > 0) {
      await createDeliveryWorker({
        journal,
        sink: createLocalSink({ outDir: values.out }),
        log,
      }).drain();
    }
    const runs = dryRun ? [] : await journal.getRuns(result.event.id);
    process.stdout.write(
      stringify({
        replayOf: original.id,
        eventID: dryRun ? null : result.event.id,
        dryRun,
        outcome: result.event.outcome,
        triggers,
        ...(dryRun
          ? { resources: result.runs.flatMap((r) => r.resources.map((p) => p.resource.body)) }
          : {
              deliveries: runs.flatMap((r) =>
                r.deliveries.map((d) => ({
                  trigger: r.trigger,
                  kind: d.resource.kind,
                  state: d.state,
                  name: d.created?.name ?? null,
                })),
              ),
            }),
      }),
    );
    return result.event.outcome === "fired" ? 0 : 1;
  } finally {
    await journal.close();
  }
}
