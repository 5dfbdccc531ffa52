import type { EventView, TriggerView } from "../admin/event-view.js";
import { groupActionLine, queuedLine } from "../admin/group-lines.js";

/** How the terminal text is painted: ANSI colour, or none (a pipe, NO_COLOR). */
export type Paint = (style: Style, text: string) => string;
type Style = "good" | "bad" | "warn" | "dim" | "bold" | "info";

const SGR: Readonly<Record<Style, string>> = {
  good: "32",
  bad: "31",
  warn: "33",
  dim: "90",
  bold: "1",
  info: "36",
};

export function createPaint(colour: boolean): Paint {
  return (style, text) => (colour ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text);
}

/** The colour of an event's or a trigger's outcome. */
export function outcomeStyle(outcome: string): Style {
  switch (outcome) {
    case "fired":
    case "delivered":
    case "continue":
      return "good";
    case "failed":
    case "rejected":
    case "timedOut":
    case "dead":
    case "error":
      return "bad";
    case "invalid":
    case "pending":
    case "rateLimited":
    case "rate_limited":
      return "warn";
    case "duplicate":
      return "info";
    default:
      // filtered, not applicable, stop: nothing went wrong.
      return "dim";
  }
}

/** One summary row of `hookline events`: the fields a person scans, left to right. */
export interface EventRow {
  id: string;
  receivedAt: string;
  outcome: string;
  status: number;
  listener: { namespace: string; name: string };
  provider: string;
  triggers: { trigger: string; outcome: string }[];
}

/** `hookline events`' table: time, outcome, status, listener, provider, triggers, id. */
export function eventTable(rows: readonly EventRow[], paint: Paint): string {
  const cells = rows.map((r) => [
    r.receivedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    r.outcome,
    String(r.status),
    `${r.listener.namespace}/${r.listener.name}`,
    r.provider,
    r.id,
    triggersCell(r.triggers),
  ]);
  const head = ["RECEIVED", "OUTCOME", "STATUS", "LISTENER", "PROVIDER", "ID", "TRIGGERS"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[], style: (i: number, text: string) => string): string =>
    c
      .map((text, i) => style(i, i === c.length - 1 ? text : text.padEnd((widths[i] ?? 0) + 2)))
      .join("")
      .trimEnd();
  return [
    line(head, (_, text) => paint("bold", text)),
    ...cells.map((c, row) =>
      line(c, (i, text) =>
        i === 1
          ? paint(outcomeStyle(rows[row]?.outcome ?? ""), text)
          : i === 0
            ? paint("dim", text)
            : text,
      ),
    ),
  ]
    .join("\n")
    .concat("\n");
}

/**
 * The triggers of a row: those that did something by name (`build:fired`), the filtered (and not
 * applicable) ones counted, as a list row has no room for four grey names.
 */
function triggersCell(triggers: EventRow["triggers"]): string {
  const named = triggers
    .filter((t) => !QUIET.has(t.outcome))
    .map((t) => `${t.trigger}:${t.outcome}`);
  const quiet = new Map<string, number>();
  for (const t of triggers)
    if (QUIET.has(t.outcome)) quiet.set(t.outcome, (quiet.get(t.outcome) ?? 0) + 1);
  return [...named, ...[...quiet].map(([outcome, n]) => `+${n} ${outcome}`)].join(" ");
}

/** How many not-applicable triggers `events show` names one by one. */
const NOT_APPLICABLE_SHOWN = 20;

/** Trigger outcomes where nothing happened and nothing went wrong. */
const QUIET: ReadonlySet<string> = new Set(["filtered", "not_applicable"]);

/**
 * `hookline events show ID`: the decision trace in the terminal, from the event view the admin
 * API and the page show (src/admin/event-view.ts): the event, then each trigger with its
 * interceptors, params and what it created.
 */
export function eventTrace(view: EventView, paint: Paint): string {
  const out: string[] = [];
  out.push(
    `${paint("bold", `event ${view.id}`)}  ${paint(outcomeStyle(view.outcome), view.outcome)}  HTTP ${view.status}`,
  );
  const facts = [
    `listener ${view.listener.namespace}/${view.listener.name}`,
    `provider ${view.provider}`,
    ...(view.deliveryId === null ? [] : [`delivery ${view.deliveryId}`]),
    `received ${view.receivedAt}`,
  ];
  out.push(`  ${facts.join(" · ")}`);
  out.push(`  ${view.method} ${view.url}  ${paint("dim", bodyFacts(view))}`);
  if (view.duplicateOf !== null) out.push(`  duplicate of ${view.duplicateOf}`);
  if (view.replayOf !== null) out.push(`  replay of ${view.replayOf}`);
  if (view.triggers.length === 0) out.push(paint("dim", "  no trigger ran"));
  for (const t of view.triggers) if (!isNotApplicable(t)) out.push("", ...triggerLines(t, paint));
  // Triggers this event is not for (another event type, provider, repository) fold into a summary
  // and one short line each, the first NOT_APPLICABLE_SHOWN of them.
  const notFor = view.notApplicable;
  if (notFor !== null) {
    out.push("", paint("dim", notFor.summary));
    for (const t of notFor.triggers.slice(0, NOT_APPLICABLE_SHOWN))
      out.push(paint("dim", `  ${t.trigger}: ${t.message}`));
    if (notFor.triggers.length > NOT_APPLICABLE_SHOWN)
      out.push(paint("dim", `  +${notFor.triggers.length - NOT_APPLICABLE_SHOWN} more`));
  }
  return `${out.join("\n")}\n`;
}

function bodyFacts(view: EventView): string {
  return view.body.kept
    ? `${view.body.bytes} bytes`
    : `${view.body.bytes} bytes, body not kept: ${view.body.reason}`;
}

type Outcome = { kind: string } & Record<string, unknown>;

/** A trigger the event was not for: `not_applicable`, or a filter that says so. */
function isNotApplicable(t: TriggerView): boolean {
  const o = t.outcome as Outcome;
  return o.kind === "not_applicable" || o["notApplicable"] === true;
}

function triggerLines(t: TriggerView, paint: Paint): string[] {
  const o = t.outcome as Outcome;
  const name = t.group === null ? t.trigger : `${t.group}/${t.trigger}`;
  const lines = [
    `${paint("bold", `trigger ${name}`)}  ${paint(outcomeStyle(o.kind), o.kind)}  ${paint("dim", `${Math.round(t.durationMs * 10) / 10} ms`)}`,
  ];
  // A stopping interceptor says why itself; other reasons (a binding, the deadline) are shown.
  const why = outcomeReason(o);
  if (why !== undefined && t.interceptors.every((i) => i.outcome === "continue"))
    lines.push(`  ${paint(outcomeStyle(o.kind), why)}`);
  for (const i of t.interceptors) {
    const said = [i.code, i.message].filter((x) => x !== undefined).join(" ");
    const mark = i.outcome === "continue" ? "✓" : i.outcome === "stop" ? "■" : "✗";
    lines.push(
      `  ${paint(outcomeStyle(i.outcome), mark)} ${i.interceptor}${i.authenticated === true ? " (authenticated)" : ""}${said === "" ? "" : `  ${said}`}`,
    );
  }
  for (const p of t.params) lines.push(`  ${p.name} = ${p.value}  ${paint("dim", p.source)}`);
  const d = t.delivery;
  if (d !== null) {
    for (const r of d.resources)
      lines.push(
        `  → ${r.kind} ${r.namespace}/${r.name ?? "(generated name)"}  ${paint(outcomeStyle(r.state), r.state)}`,
      );
    for (const p of d.patches)
      lines.push(
        `  → patch ${p.target.kind} ${p.target.namespace}/${p.target.name}  ${paint(outcomeStyle(p.state), p.state)}`,
      );
    for (const c of d.cloudEvents)
      lines.push(`  → CloudEvent ${c.type} to ${c.uri}  ${paint(outcomeStyle(c.state), c.state)}`);
    if (d.supersededBy !== null)
      lines.push(`  ${paint("dim", `superseded by event ${d.supersededBy}`)}`);
    if (d.queued !== null) lines.push(`  ${paint("warn", queuedLine(d.queued))}`);
    for (const a of d.groupActions)
      lines.push(`  → ${groupActionLine(a)}  ${paint(outcomeStyle(a.state), a.state)}`);
    if (d.lastError !== null) lines.push(`  ${paint("bad", `last error: ${d.lastError}`)}`);
  }
  return lines;
}

/** What an outcome that is not `fired` says, in one line (its fields, whatever its kind). */
function outcomeReason(o: Outcome): string | undefined {
  if (o.kind === "fired") return undefined;
  if (o.kind === "rateLimited" && typeof o["limit"] === "string")
    return `rate limited (${o["limit"]}): the ${o["scope"] === "listener" ? "EventListener's" : "Trigger's"} bucket was empty, nothing was created`;
  const parts = ["interceptor", "url", "stage", "code", "message"]
    .map((k) => o[k])
    .filter((v): v is string => typeof v === "string");
  if (typeof o["afterMs"] === "number") parts.push(`after ${o["afterMs"]} ms`);
  return parts.length === 0 ? undefined : parts.join(": ");
}
