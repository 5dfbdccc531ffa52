import { OPTIONS } from "../settings/option-definitions.js";
import { parseFlags } from "../settings/parse-settings.js";
import { readOption } from "../settings/read-option.js";
import type { CommandIo } from "./command-io.js";
import { ownArgsOptions, RUNS_USAGE, usageLines } from "./command-usage.js";
import { settingsFailure } from "./settings-failure.js";

/**
 * `hookline runs finish NAME [--namespace NS] [--kind K] [--reason R]`: marks a run the local
 * sink wrote finished, through the running server's admin API (`POST
 * /api/v1/runs/{ns}/{kind}/{name}/finish`), which writes `<name>.status.yaml` and lets the group
 * scheduler start the next queued run. As `hookline events`, through the API: the server holds
 * the scheduler and its lock.
 */
export async function runRuns(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    const { values, positionals } = parseFlags(
      args,
      RUNS_USAGE.settings,
      ownArgsOptions(RUNS_USAGE),
      true,
    );
    const text = (name: string): string | undefined => {
      const v = values[name];
      return typeof v === "string" ? v : undefined;
    };
    parsed = {
      positionals,
      admin: readOption(OPTIONS.admin, values, io.env),
      token: readOption(OPTIONS.adminToken, values, io.env),
      namespace: text("namespace") ?? "default",
      kind: text("kind") ?? "PipelineRun",
      reason: text("reason") ?? "Succeeded",
    };
  } catch (err) {
    return settingsFailure("runs", err, io);
  }
  const usage = (problem: string): number => {
    io.stderr.write(`hookline runs: ${problem}\n${usageLines(RUNS_USAGE, "usage: ")}\n`);
    return 2;
  };
  const [verb, name, ...rest] = parsed.positionals;
  if (verb !== "finish")
    return usage(verb === undefined ? "say what to do: runs finish NAME" : `unknown "${verb}"`);
  if (name === undefined || rest.length > 0) return usage("give one run name: runs finish NAME");
  if (parsed.kind !== "PipelineRun" && parsed.kind !== "TaskRun")
    return usage(`--kind is PipelineRun or TaskRun, not "${parsed.kind}"`);
  if (parsed.reason !== "Succeeded" && parsed.reason !== "Failed")
    return usage(`--reason is Succeeded or Failed, not "${parsed.reason}"`);
  const host = parsed.admin.host.includes(":") ? `[${parsed.admin.host}]` : parsed.admin.host;
  const base = `http://${host}:${parsed.admin.port}`;
  const path = ["", "api", "v1", "runs", parsed.namespace, parsed.kind, name, "finish"]
    .map((part) => encodeURIComponent(part))
    .join("/");
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: {
        accept: "application/json",
        "content-type": "application/json",
        ...(parsed.token === undefined ? {} : { authorization: `Bearer ${parsed.token}` }),
      },
      body: JSON.stringify({ reason: parsed.reason }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    io.stderr.write(
      `hookline runs: nothing answers on ${base} (${cause?.code ?? (err as Error).message}); is \`hookline serve\` running? --admin or HOOKLINE_ADMIN_ADDR names its admin port\n`,
    );
    return 1;
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === "string" ? error.code : `HTTP ${res.status}`;
    const message = typeof error?.message === "string" ? error.message : res.statusText;
    io.stderr.write(`hookline runs: ${code}: ${message}\n`);
    return 1;
  }
  const done = body as { location?: string; alreadyFinished?: boolean };
  io.stdout.write(
    done.alreadyFinished === true
      ? `${parsed.kind} ${parsed.namespace}/${name} had already finished\n`
      : `${parsed.kind} ${parsed.namespace}/${name} finished (${parsed.reason}): ${done.location ?? ""}\n`,
  );
  return 0;
}
