import { createSecretValues } from "../core/secret-values.js";
import { redactingLogger } from "../log/redacting-logger.js";
import { parseArgs } from "node:util";
import { assertNever } from "../errors/assert-never.js";
import type { DeliveryRecord, RunRecord } from "../store/types.js";
import { stringify } from "yaml";
import { createSecretResolver } from "../config/secret-resolver.js";
import { createDeliveryWorker } from "../delivery/delivery-worker.js";
import { replayEvent } from "../listener/replay-event.js";
import { createLogger } from "../log/logger.js";
import { createLocalSink } from "../sinks/local/local-sink.js";
import { createJournal } from "../store/create-journal.js";
import { DEFAULT_DEADLINE_MS } from "../settings/defaults.js";
import type { Sink } from "../sinks/types.js";
import { loadCliConfig } from "./load-cli-config.js";

/**
 * `hookline replay EVENT_ID`: runs a stored event again through the current config, on the
 * journal directly, as a new event linked to the original; its deliveries (and only those: the
 * other events' runs are left to the workers that own them) go through the configured sink
 * (`--sink`/HOOKLINE_SINK, as serve) before the command exits. A running server sharing the
 * journal may deliver them instead: claims keep them from being created twice. `--dry-run` shows
 * what would be created and stores nothing.
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
        sink: { type: "string" },
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
      "usage: hookline replay EVENT_ID [--dry-run] [--config DIR] [--store STORE] [--sink local|kubernetes] [--out DIR] [--secrets DIR]\n",
    );
    return 2;
  }
  const sinkKind = values.sink ?? process.env["HOOKLINE_SINK"] ?? "local";
  if (sinkKind !== "local" && sinkKind !== "kubernetes") {
    process.stderr.write(`hookline replay: invalid sink "${sinkKind}": use local or kubernetes\n`);
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
    const secretValues = createSecretValues();
    const result = await replayEvent(original, {
      config,
      secrets: createSecretResolver({
        fromConfig: config.secrets,
        dir: values.secrets ?? process.env["HOOKLINE_SECRETS_DIR"],
        values: secretValues,
      }),
      secretValues,
      log: redactingLogger(log, secretValues),
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
      const sink: Sink =
        sinkKind === "kubernetes"
          ? // Loaded only when used, as serve does: the Kubernetes client costs ~0.6 s to load.
            (await import("../sinks/kubernetes/kubernetes-sink.js")).createKubernetesSink({})
          : createLocalSink({ outDir: values.out });
      await createDeliveryWorker({ journal, sink, log }).deliverEvent(result.event.id);
    }
    const runs = dryRun ? [] : await journal.getRuns(result.event.id);
    process.stdout.write(
      stringify({
        replayOf: original.id,
        eventID: dryRun ? null : result.event.id,
        dryRun,
        outcome: result.event.outcome,
        answer: { status: result.answer.status, body: result.answer.body },
        triggers,
        ...(dryRun
          ? {
              resources: result.runs.flatMap((r) =>
                r.deliveries.flatMap((d) => (d.kind === "resource" ? [d.resource.body] : [])),
              ),
              patches: result.runs.flatMap((r) =>
                r.deliveries.flatMap((d) =>
                  d.kind === "patch" ? [{ type: d.patch.type, target: d.patch.target }] : [],
                ),
              ),
            }
          : {
              deliveries: runs.flatMap((r) => r.deliveries.map((d) => deliveryLine(r, d))),
            }),
      }),
    );
    return result.event.outcome === "fired" ? 0 : 1;
  } finally {
    await journal.close();
  }
}

/** One delivery of the replay, as printed: what it is, and where it stands. */
function deliveryLine(run: RunRecord, d: DeliveryRecord): Record<string, unknown> {
  const trigger = run.origin.kind === "trigger" ? run.origin.trigger : null;
  switch (d.kind) {
    case "resource":
      return {
        trigger,
        kind: d.resource.kind,
        state: d.state,
        name: d.created?.name ?? null,
      };
    case "patch":
      return {
        trigger,
        kind: "Patch",
        type: d.patch.type,
        target: patchTargetLine(d.patch.target),
        state: d.state,
      };
    case "cloudevent":
      return { trigger, kind: "CloudEvent", type: d.event.type, uri: d.uri, state: d.state };
    default:
      return assertNever(d);
  }
}

/** `argoproj.io/v1alpha1 Application argocd/web`. */
function patchTargetLine(t: {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}): string {
  return `${t.apiVersion} ${t.kind} ${t.namespace}/${t.name}`;
}
