import type { CompiledListener } from "../config/compiled.js";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { stringify } from "yaml";
import { createSecretResolver } from "../config/secret-resolver.js";
import { canonicalHeaders } from "../core/canonical-header.js";
import { identifyProvider } from "../intake/identify-provider.js";
import { processEvent } from "../listener/process-event.js";
import { routeListener } from "../listener/route-listener.js";
import type { ProcessedEvent } from "../listener/processed-event.js";
import type { NotApplicableTrigger, TriggerTrace } from "../listener/types.js";
import type { PlannedRun } from "../store/types.js";
import { foldNotApplicable } from "../listener/fold-not-applicable.js";
import { HooklineError } from "../errors/hookline-error.js";
import { builtinInterceptorOptions } from "../settings/builtin-interceptor-options.js";
import { DEFAULT_DEADLINE_MS } from "../settings/defaults.js";
import { parseFlags, parsePipelineSettings } from "../settings/parse-settings.js";
import type { CommandIo } from "./command-io.js";
import { createCommandLogger } from "./command-logger.js";
import { DRY_RUN_USAGE, ownArgsOptions, usageLines } from "./command-usage.js";
import { parseHttpRequest } from "./parse-http-request.js";
import { checkDefaultListener } from "../listener/check-default-listener.js";
import { loadCliConfig } from "./load-cli-config.js";

const USAGE = `${usageLines(DRY_RUN_USAGE, "usage: ")}\n`;

/**
 * `hookline dry-run`: one event through every trigger of the config, nothing created. Prints each
 * trigger's decision trace and the resources it would create. Exit 0 when a trigger fired, 1 when
 * none did, 2 on a usage or config error — for a user's own CI before they change triggers.
 */
export async function runDryRun(args: readonly string[], io: CommandIo): Promise<number> {
  let values;
  let pipeline;
  try {
    const flags = parseFlags(args, DRY_RUN_USAGE.settings, ownArgsOptions(DRY_RUN_USAGE)).values;
    const text = (name: string): string | undefined => {
      const v = flags[name];
      return typeof v === "string" ? v : undefined;
    };
    const header = flags["header"];
    values = {
      config: text("config") ?? "examples/config",
      payload: text("payload"),
      header: Array.isArray(header) ? header.filter((h) => typeof h === "string") : [],
      request: text("request"),
      listener: text("listener"),
      output: text("output") ?? "yaml",
    };
    pipeline = parsePipelineSettings(flags, io.env, "error");
  } catch (err) {
    if (!(err instanceof HooklineError) || err.code !== "HL_SETTINGS_INVALID") throw err;
    io.stderr.write(`hookline dry-run: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (
    (values.payload === undefined) === (values.request === undefined) ||
    !["yaml", "json"].includes(values.output)
  ) {
    io.stderr.write(USAGE);
    return 2;
  }
  const config = await loadCliConfig(
    "dry-run",
    values.config,
    {
      dir: pipeline.interceptorsDir,
      builtins: builtinInterceptorOptions(pipeline.interceptors),
    },
    io.stderr,
  );
  if (config === 2) return 2;
  let method = "POST";
  let url = "/";
  let rawHeaders: string[] = [];
  let body: Buffer;
  try {
    if (values.request !== undefined) {
      ({ method, url, rawHeaders, body } = parseHttpRequest(await readFile(values.request)));
    } else {
      body = await readFile(values.payload ?? "");
      for (const h of values.header) {
        const colon = h.indexOf(":");
        if (colon <= 0) throw new Error(`--header "${h}" is not "Name: value"`);
        rawHeaders.push(h.slice(0, colon).trim(), h.slice(colon + 1).trim());
      }
      if (!rawHeaders.some((n, i) => i % 2 === 0 && n.toLowerCase() === "content-type"))
        rawHeaders.push("Content-Type", "application/json");
    }
  } catch (err) {
    io.stderr.write(`hookline dry-run: ${(err as Error).message}\n`);
    return 2;
  }
  const path =
    values.listener === undefined
      ? (url.split("?")[0] ?? "/")
      : `/listeners/${values.listener.includes("/") ? values.listener : `default/${values.listener}`}`;
  const listener = routeListener(config.listeners, path, pipeline.defaultListener);
  if (listener === undefined) {
    const named =
      values.listener === undefined
        ? checkDefaultListener(config.listeners, pipeline.defaultListener)
        : checkDefaultListener(config.listeners, values.listener, "--listener");
    io.stderr.write(
      `hookline dry-run: ${named ?? `no EventListener for ${path}; name one with --listener NS/NAME`}\n`,
    );
    return 2;
  }
  const header = canonicalHeaders(rawHeaders);
  const { provider, deliveryId } = identifyProvider(header);
  const eventId = randomUUID();
  const processed = await processEvent(
    {
      listener,
      event: {
        eventId,
        receivedAt: new Date(),
        method,
        url,
        header,
        rawBody: body,
        provider,
        deliveryId,
      },
      // No journal here: a dry run cannot know an earlier delivery of the same id.
      deliveryIdOwner: undefined,
    },
    {
      secrets: createSecretResolver({
        fromConfig: config.secrets,
        dir: pipeline.secretsDir,
      }),
      log: createCommandLogger(pipeline, io.stderr, io.env),
      deadlineMs: DEFAULT_DEADLINE_MS,
    },
  );
  const out = dryRunView(listener, eventId, processed);
  io.stdout.write(values.output === "json" ? `${JSON.stringify(out, null, 2)}\n` : stringify(out));
  return processed.outcome === "fired" ? 0 : 1;
}

/**
 * What dry-run prints: the answer the sender would get, each trigger's trace with the resources
 * it would create, the patches it would apply (`hookline.dev/v1alpha1` `Patch` entries), the HTTP
 * requests it would send (`HTTPRequest` entries; secret headers as their references), each fired
 * trigger's concurrency group and strategy, and the listener's CloudEvents (cloudEventURI) when
 * it has any.
 */
export function dryRunView(
  listener: { namespace: string; name: string } & Partial<
    Pick<CompiledListener, "rateLimit" | "triggerRateLimits">
  >,
  eventId: string,
  processed: ProcessedEvent,
): Record<string, unknown> {
  const cloudEvents = processed.runs.flatMap((r) =>
    r.deliveries.flatMap((d) =>
      d.kind === "cloudevent" ? [{ type: d.event.type, uri: d.uri }] : [],
    ),
  );
  // The Patch entries, as the sink will apply them (each also listed with its trigger's resources).
  const patches = processed.runs.flatMap((r) =>
    r.deliveries.flatMap((d) =>
      d.kind === "patch"
        ? [
            {
              trigger: r.origin.kind === "trigger" ? r.origin.trigger : null,
              type: d.patch.type,
              target: d.patch.target,
              // A copy: the same object is in the trace, and YAML would print an alias for it.
              patch: structuredClone(d.patch.patch),
            },
          ]
        : [],
    ),
  );
  // The HTTPRequest entries, as the HTTP sink will send them (Secret headers as references).
  const httpRequests = processed.runs.flatMap((r) =>
    r.deliveries.flatMap((d) =>
      d.kind === "http"
        ? [
            {
              trigger: r.origin.kind === "trigger" ? r.origin.trigger : null,
              method: d.request.method,
              url: d.request.url,
              headers: Object.fromEntries(
                d.request.headers.map(({ name, value }) => [
                  name,
                  value.kind === "literal" ? value.value : { secretRef: { ...value.secretRef } },
                ]),
              ),
              ...(d.request.body === undefined ? {} : { body: structuredClone(d.request.body) }),
              expectedStatuses: d.request.expectedStatuses ?? "2xx",
              timeoutMs: d.request.timeoutMs,
            },
          ]
        : [],
    ),
  );
  return {
    eventListener: `${listener.namespace}/${listener.name}`,
    eventID: eventId,
    answer: { status: processed.answer.status, body: processed.answer.body },
    triggers: processed.traces.map((t, i) => withConcurrency(triggerView(t), processed.runs, i)),
    ...notApplicableView(processed.notApplicable),
    ...(patches.length === 0 ? {} : { patches }),
    ...(httpRequests.length === 0 ? {} : { httpRequests }),
    ...(cloudEvents.length === 0 ? {} : { cloudEvents }),
    ...rateLimitsView(listener),
  };
}

/**
 * The listener's and its triggers' `hookline.dev/rate-limit`s, when there are any. A dry run has
 * no buckets: it takes no token, and no trigger of it is ever rate limited.
 */
function rateLimitsView(
  listener: Partial<Pick<CompiledListener, "rateLimit" | "triggerRateLimits">>,
): Record<string, unknown> {
  const triggers = [...(listener.triggerRateLimits ?? [])];
  if (listener.rateLimit === undefined && triggers.length === 0) return {};
  return {
    rateLimits: {
      ...(listener.rateLimit === undefined ? {} : { eventListener: listener.rateLimit.text }),
      ...(triggers.length === 0
        ? {}
        : { triggers: Object.fromEntries(triggers.map(([id, limit]) => [id, limit.text])) }),
      note: "a dry run has no buckets: it takes no token and nothing is rate limited",
    },
  };
}

/**
 * A fired trigger's concurrency group (issue 12), after its outcome: the group key as rendered,
 * the strategy and limits, and which older runs of the group its run would cancel first.
 */
function withConcurrency(
  view: Record<string, unknown>,
  runs: readonly PlannedRun[],
  traceIndex: number,
): Record<string, unknown> {
  const run = runs.find((r) => r.origin.kind === "trigger" && r.origin.traceIndex === traceIndex);
  const c = run?.concurrency;
  if (run === undefined || c === undefined) return view;
  const cancel = run.deliveries.find((d) => d.kind === "cancel");
  const queued = c.strategy === "queue" || c.strategy === "queue-latest";
  const concurrency = {
    group: c.group,
    groupId: c.groupId,
    strategy: c.strategy,
    ...(queued ? { maxRunning: c.maxRunning, created: "Pending (started in order)" } : {}),
    ...(c.maxKeepRuns === undefined ? {} : { maxKeepRuns: c.maxKeepRuns }),
    ...(cancel === undefined
      ? {}
      : {
          cancelsOlder: `${cancel.selector.scope === "all" ? "running and pending" : "pending"} ${c.kind}s of the group (spec.status: ${cancel.selector.status})`,
        }),
  };
  const entries = Object.entries(view);
  const after = entries.findIndex(([k]) => k === "outcome") + 1;
  return Object.fromEntries([
    ...entries.slice(0, after),
    ["concurrency", concurrency],
    ...entries.slice(after),
  ]);
}

/** The triggers the event was not for: one summary line, and each with what was seen. */
function notApplicableView(list: readonly NotApplicableTrigger[]): Record<string, unknown> {
  const folded = foldNotApplicable(list);
  if (folded === undefined) return {};
  return {
    notApplicable: {
      summary: folded.summary,
      triggers: folded.triggers.map((t) => ({ trigger: t.trigger, reason: t.message })),
    },
  };
}

/** One trigger's trace as dry-run prints it (also what the tests compare across commands). */
export function triggerView(t: TriggerTrace): Record<string, unknown> {
  return {
    trigger: t.trigger,
    namespace: t.namespace,
    ...(t.group === undefined ? {} : { group: t.group }),
    outcome: t.outcome.kind,
    ...(t.outcome.kind === "fired" ? {} : { reason: t.outcome }),
    interceptors: t.interceptors,
    extensions: t.extensions,
    params: t.params,
    resources: t.outcome.kind === "fired" ? t.outcome.resources.map((r) => r.body) : [],
  };
}
