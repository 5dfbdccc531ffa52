import { createSecretValues } from "../core/secret-values.js";
import { redactingLogger } from "../log/redacting-logger.js";
import { assertNever } from "../errors/assert-never.js";
import { describeUrl } from "../http/describe-url.js";
import type { DeliveryRecord, RunRecord } from "../store/types.js";
import { stringify } from "yaml";
import { createSecretResolver } from "../config/secret-resolver.js";
import { createDeliveryWorker } from "../delivery/delivery-worker.js";
import { foldNotApplicable } from "../listener/fold-not-applicable.js";
import { replayEvent } from "../listener/replay-event.js";
import { openJournal } from "../runtime/open-journal.js";
import { createDestinationGuard } from "../http/destination-guard.js";
import { createHttpRequestSink } from "../sinks/http/http-request-sink.js";
import { createLocalSink } from "../sinks/local/local-sink.js";
import { builtinInterceptorOptions } from "../settings/builtin-interceptor-options.js";
import { DEFAULT_DEADLINE_MS } from "../settings/defaults.js";
import { OPTIONS } from "../settings/option-definitions.js";
import { parseFlags, parsePipelineSettings, parseSink } from "../settings/parse-settings.js";
import { readOption } from "../settings/read-option.js";
import type { Sink } from "../sinks/types.js";
import { ownArgsOptions, REPLAY_USAGE, usageLines } from "./command-usage.js";
import type { CommandIo } from "./command-io.js";
import { createCommandLogger } from "./command-logger.js";
import { loadCliConfig } from "./load-cli-config.js";
import { settingsFailure } from "./settings-failure.js";

/**
 * `hookline replay EVENT_ID`: runs a stored event again through the current config, on the
 * journal directly, as a new event linked to the original; its deliveries (and only those: the
 * other events' runs are left to the workers that own them) go through the configured sink
 * (`--sink`/HOOKLINE_SINK, as serve) before the command exits. A running server sharing the
 * journal may deliver them instead: claims keep them from being created twice. `--dry-run` shows
 * what would be created and stores nothing.
 */
export async function runReplay(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    const { values, positionals } = parseFlags(
      args,
      REPLAY_USAGE.settings,
      ownArgsOptions(REPLAY_USAGE),
      true,
    );
    parsed = {
      positionals,
      configDir: typeof values["config"] === "string" ? values["config"] : "examples/config",
      dryRun: values["dry-run"] === true,
      pipeline: parsePipelineSettings(values, io.env, "warn"),
      sink: parseSink(values, io.env),
      store: readOption(OPTIONS.store, values, io.env),
    };
  } catch (err) {
    return settingsFailure("replay", err, io);
  }
  const { positionals, pipeline } = parsed;
  const id = positionals[0];
  if (id === undefined || positionals.length > 1) {
    io.stderr.write(`${usageLines(REPLAY_USAGE, "usage: ")}\n`);
    return 2;
  }
  const log = createCommandLogger(pipeline, io.stderr, io.env);
  const config = await loadCliConfig(
    "replay",
    parsed.configDir,
    {
      dir: pipeline.interceptorsDir,
      builtins: builtinInterceptorOptions(pipeline.interceptors),
    },
    io.stderr,
  );
  if (config === 2) return 2;
  const journal = await openJournal(parsed.store);
  try {
    const original = await journal.getEvent(id);
    if (original === undefined) {
      io.stderr.write(`hookline replay: no event ${id} in the journal\n`);
      return 1;
    }
    if (original.body.kind === "not-kept") {
      io.stderr.write(
        `hookline replay: HL_EVENT_BODY_NOT_KEPT: event ${id} was recorded without its body (no trigger authenticated it and it fired nothing); it cannot be replayed\n`,
      );
      return 1;
    }
    const { dryRun } = parsed;
    const secretValues = createSecretValues();
    const secrets = createSecretResolver({
      fromConfig: config.secrets,
      dir: pipeline.secretsDir,
      values: secretValues,
    });
    const result = await replayEvent(original, {
      config,
      secrets,
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
        parsed.sink.kind === "kubernetes"
          ? await createKubernetesSink(pipeline.kubeconfig)
          : createLocalSink({ outDir: parsed.sink.outDir });
      const httpSink = createHttpRequestSink({
        secrets,
        secretValues,
        guard: createDestinationGuard({ allow: pipeline.httpAllow }),
      });
      await createDeliveryWorker({
        journal,
        sink,
        httpSink,
        log: redactingLogger(log, secretValues),
      }).deliverEvent(result.event.id);
    }
    const runs = dryRun ? [] : await journal.getRuns(result.event.id);
    io.stdout.write(
      stringify({
        replayOf: original.id,
        eventID: dryRun ? null : result.event.id,
        dryRun,
        outcome: result.event.outcome,
        answer: { status: result.answer.status, body: result.answer.body },
        triggers,
        ...(result.event.notApplicable === undefined
          ? {}
          : { notApplicable: foldNotApplicable(result.event.notApplicable)?.summary }),
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
              httpRequests: result.runs.flatMap((r) =>
                r.deliveries.flatMap((d) =>
                  d.kind === "http" ? [{ method: d.request.method, url: d.request.url }] : [],
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

/** Loaded only when used, as serve does: the Kubernetes client costs ~0.6 s to load. */
async function createKubernetesSink(kubeconfig: string | undefined): Promise<Sink> {
  const [sinkModule, { loadKubeConfig }] = await Promise.all([
    import("../sinks/kubernetes/kubernetes-sink.js"),
    import("../sinks/kubernetes/load-kube-config.js"),
  ]);
  return sinkModule.createKubernetesSink({ kubeConfig: loadKubeConfig(kubeconfig) });
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
    case "http":
      return {
        trigger,
        kind: "HTTPRequest",
        method: d.request.method,
        url: describeUrl(d.request.url),
        state: d.state,
        status: d.answer?.status ?? null,
      };
    case "cloudevent":
      return { trigger, kind: "CloudEvent", type: d.event.type, uri: d.uri, state: d.state };
    case "cancel":
      return {
        trigger,
        kind: `${d.selector.kind} cancellation`,
        state: d.state,
        names: (d.cancelled ?? []).map((c) => c.name),
      };
    case "start":
      return { trigger, kind: `${d.target.kind} start`, name: d.target.name, state: d.state };
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
