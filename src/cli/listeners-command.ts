import {
  summarizeListener,
  listenerProviders,
  providerEventTypes,
} from "../config/listener-summary.js";
import { listenerBaseUrl } from "../runtime/start-banner.js";
import { builtinInterceptorOptions } from "../settings/builtin-interceptor-options.js";
import { OPTIONS } from "../settings/option-definitions.js";
import { parseFlags, parsePipelineSettings } from "../settings/parse-settings.js";
import { readOption } from "../settings/read-option.js";
import type { CommandIo } from "./command-io.js";
import { LISTENERS_USAGE, ownArgsOptions } from "./command-usage.js";
import { loadCliConfig } from "./load-cli-config.js";
import { settingsFailure } from "./settings-failure.js";

/** One row of `hookline listeners`: a listener and one provider its triggers check. */
interface ListenerRow {
  listener: string;
  url: string;
  /** null: its triggers check no provider (any sender). */
  provider: string | null;
  /** null: some trigger of that provider takes any event type. */
  eventTypes: string[] | null;
}

/**
 * `hookline listeners`: each EventListener of the config (loaded as `validate` and `serve` load
 * it) with its webhook URL on the listener port `serve` would bind (--port, --host, TLS_CERT as
 * serve reads them), the providers its triggers check and the event types they accept.
 */
export async function runListeners(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    const { values } = parseFlags(args, LISTENERS_USAGE.settings, ownArgsOptions(LISTENERS_USAGE));
    const output = typeof values["output"] === "string" ? values["output"] : "text";
    if (output !== "text" && output !== "json") {
      io.stderr.write(`hookline listeners: --output is text or json, not "${output}"\n`);
      return 2;
    }
    parsed = {
      configDir: typeof values["config"] === "string" ? values["config"] : "examples/config",
      output,
      pipeline: parsePipelineSettings(values, io.env, "error"),
      baseUrl: listenerBaseUrl(
        readOption(OPTIONS.host, values, io.env),
        readOption(OPTIONS.port, values, io.env),
        readOption(OPTIONS.tlsCert, values, io.env) !== undefined,
      ),
    };
  } catch (err) {
    return settingsFailure("listeners", err, io);
  }
  const config = await loadCliConfig(
    "listeners",
    parsed.configDir,
    {
      dir: parsed.pipeline.interceptorsDir,
      builtins: builtinInterceptorOptions(parsed.pipeline.interceptors),
    },
    io.stderr,
  );
  if (config === 2) return 2;
  const rows = config.listeners.map(summarizeListener).flatMap((summary): ListenerRow[] => {
    const url = `${parsed.baseUrl}${summary.path}`;
    const providers = listenerProviders(summary);
    const listener = `${summary.namespace}/${summary.name}`;
    if (providers.length === 0) return [{ listener, url, provider: null, eventTypes: null }];
    return providers.map((provider) => ({
      listener,
      url,
      provider,
      eventTypes: providerEventTypes(summary, provider) ?? null,
    }));
  });
  if (parsed.output === "json") {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    io.stderr.write(`hookline listeners: ${parsed.configDir} has no EventListener\n`);
    return 0;
  }
  const table = [
    ["LISTENER", "WEBHOOK URL", "PROVIDER", "EVENT TYPES"],
    ...rows.map((r) => [r.listener, r.url, r.provider ?? "any", r.eventTypes?.join(", ") ?? "any"]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => (row[i] ?? "").length)));
  for (const row of table)
    io.stdout.write(
      `${row
        .map((cell, i) => (i < 3 ? cell.padEnd((widths[i] ?? 0) + 2) : cell))
        .join("")
        .trimEnd()}\n`,
    );
  return 0;
}
