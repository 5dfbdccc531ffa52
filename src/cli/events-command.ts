import type { EventView } from "../admin/event-view.js";
import { OPTIONS } from "../settings/option-definitions.js";
import { parseFlags } from "../settings/parse-settings.js";
import { parseDuration } from "../settings/parse-values.js";
import { readOption } from "../settings/read-option.js";
import type { CommandIo } from "./command-io.js";
import { wantsColour } from "./command-logger.js";
import { EVENTS_USAGE, ownArgsOptions, usageLines } from "./command-usage.js";
import { createPaint, eventTable, eventTrace, type EventRow } from "./event-text.js";
import { settingsFailure } from "./settings-failure.js";

const DEFAULT_LIMIT = "20";

/**
 * `hookline events [--listener L] [--outcome O] [--group KEY] [--since DURATION|TIME]` and `hookline events show
 * ID`: the journal as the running server's admin API answers it (`--admin` / HOOKLINE_ADMIN_ADDR,
 * the same setting serve binds; HOOKLINE_ADMIN_TOKEN when it needs one). Through the API rather
 * than the journal file: it works for SQLite and PostgreSQL alike, on another machine, and never
 * opens a journal a server is writing. Colour on a terminal, none when piped or with NO_COLOR.
 */
export async function runEvents(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    const { values, positionals } = parseFlags(
      args,
      EVENTS_USAGE.settings,
      ownArgsOptions(EVENTS_USAGE),
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
      listener: text("listener"),
      outcome: text("outcome"),
      group: text("group"),
      since: text("since"),
      limit: text("limit") ?? DEFAULT_LIMIT,
      output: text("output") ?? "text",
    };
  } catch (err) {
    return settingsFailure("events", err, io);
  }
  const { positionals } = parsed;
  const usage = (problem: string): number => {
    io.stderr.write(`hookline events: ${problem}\n${usageLines(EVENTS_USAGE, "usage: ")}\n`);
    return 2;
  };
  if (parsed.output !== "text" && parsed.output !== "json")
    return usage(`--output is text or json, not "${parsed.output}"`);
  const show = positionals[0] === "show";
  if (show ? positionals.length !== 2 : positionals.length !== 0)
    return usage(show ? "give one event id: events show ID" : `unexpected "${positionals[0]}"`);
  const host = parsed.admin.host.includes(":") ? `[${parsed.admin.host}]` : parsed.admin.host;
  const base = `http://${host}:${parsed.admin.port}`;
  let path: string;
  if (show) path = `/api/v1/events/${encodeURIComponent(positionals[1] ?? "")}`;
  else {
    const query = new URLSearchParams({ limit: parsed.limit });
    if (parsed.listener !== undefined) query.set("listener", parsed.listener);
    if (parsed.outcome !== undefined) query.set("outcome", parsed.outcome);
    if (parsed.group !== undefined) query.set("group", parsed.group);
    if (parsed.since !== undefined) {
      const since = sinceTime(parsed.since);
      if (since === undefined)
        return usage(
          `--since is a duration (30m, 2h, 7d) or a time (2026-01-31T12:00:00Z), not "${parsed.since}"`,
        );
      query.set("since", since.toISOString());
    }
    path = `/api/v1/events?${query.toString()}`;
  }
  const answer = await getJson(base, path, parsed.token);
  if (answer.kind === "unreachable") {
    io.stderr.write(
      `hookline events: nothing answers on ${base} (${answer.reason}); is \`hookline serve\` running? --admin or HOOKLINE_ADMIN_ADDR names its admin port\n`,
    );
    return 1;
  }
  if (answer.kind === "refused") {
    io.stderr.write(`hookline events: ${answer.code}: ${answer.message}\n`);
    return 1;
  }
  if (parsed.output === "json") {
    io.stdout.write(`${JSON.stringify(answer.body, null, 2)}\n`);
    return 0;
  }
  const paint = createPaint(wantsColour(io.stdout, io.env));
  if (show) {
    io.stdout.write(eventTrace(answer.body as EventView, paint));
    return 0;
  }
  const page = answer.body as { events: EventRow[]; next: string | null };
  if (page.events.length === 0) {
    io.stderr.write("hookline events: no event matches\n");
    return 0;
  }
  io.stdout.write(eventTable(page.events, paint));
  if (page.next !== null)
    io.stderr.write(
      `(the ${page.events.length} newest; --limit N for more, --since to go back further)\n`,
    );
  return 0;
}

/** `--since`: a duration back from now (as HOOKLINE_RETENTION is written), or a time. */
function sinceTime(text: string): Date | undefined {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(Date.now() - ms);
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

type Answer =
  | { kind: "ok"; body: unknown }
  | { kind: "refused"; code: string; message: string }
  | { kind: "unreachable"; reason: string };

/** GET on the admin API; its error shape (`{ error: { code, message } }`) read back. */
async function getJson(base: string, path: string, token: string | undefined): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      headers: {
        accept: "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { kind: "unreachable", reason: cause?.code ?? (err as Error).message };
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (res.ok) return { kind: "ok", body };
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    kind: "refused",
    code: typeof error?.code === "string" ? error.code : `HTTP ${res.status}`,
    message: typeof error?.message === "string" ? error.message : res.statusText,
  };
}
