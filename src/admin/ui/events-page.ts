import type { ChartRange } from "../event-chart-range.js";
import type { EventCountBucket, EventFilter, EventPage } from "../../store/types.js";
import { renderEventsChart } from "./events-chart.js";
import { html } from "./html.js";
import { layout } from "./layout.js";

const OUTCOMES = [
  "",
  "fired",
  "filtered",
  "rejected",
  "failed",
  "duplicate",
  "invalid",
  "rate_limited",
];

/** The list of recent events, newest first, with filters; it refreshes itself as events come. */
export function renderEventsPage(
  page: EventPage,
  filter: EventFilter,
  query: Record<string, string>,
  chart: { range: ChartRange; buckets: readonly EventCountBucket[] },
): string {
  const qs = (extra: Record<string, string>): string =>
    new URLSearchParams({ ...query, ...extra }).toString();
  const rows = page.events.map(
    (e) =>
      html`<tr>
        <td>
          <a href="/ui/events/${e.id}"
            >${e.receivedAt.toISOString().replace("T", " ").slice(0, 19)}</a
          >
        </td>
        <td>${e.listener.namespace}/${e.listener.name}</td>
        <td>
          ${e.eventType === undefined ? html`<span class="muted">—</span>` : html`<code>${e.eventType}</code>`}
          <span class="muted small">${e.provider}</span>
        </td>
        <td class="nowrap">
          <span class="badge ${e.outcome}">${outcomeLabel(e.outcome)}</span>
          <span class="muted">${e.status}</span>
        </td>
        <td class="badges">
          ${e.triggers.length === 0 && e.notApplicable === 0 ? html`<span class="muted">—</span>` : e.triggers.map((t) => html`<span class="badge ${t.outcome}" title="${t.outcome}">${t.trigger || "(unnamed)"}: ${outcomeLabel(t.outcome)}</span>`)}
          ${
            // The triggers the event was not for: a count, no badge each.
            e.notApplicable === 0
              ? ""
              : html`<span class="muted small" title="triggers this event was not for"
                  >${e.notApplicable} did not apply</span
                >`
          }
        </td>
        <td>
          <code>${e.deliveryId ?? ""}</code
          >${e.replayOf === undefined ? "" : html` <span class="badge warn">replay</span>`}
        </td>
      </tr>`,
  );
  const body = html`<h1>Recent events <span id="live" class="muted small"></span></h1>
    ${renderEventsChart(chart.buckets, chart.range, (range) => `/ui/?${qs({ range })}`)}
    <form class="filters" method="get" action="/ui/">
      <label
        >Listener
        <input name="listener" value="${query["listener"] ?? ""}" placeholder="namespace/name"
      /></label>
      <label>Trigger <input name="trigger" value="${query["trigger"] ?? ""}" /></label>
      <label
        >Outcome
        <select name="outcome">
          ${OUTCOMES.map((o) => html`<option value="${o}" ${o === (filter.outcome ?? "") ? html` selected` : ""}>${o || "any"}</option>`)}
        </select></label
      >
      <label>Delivery id <input name="deliveryId" value="${query["deliveryId"] ?? ""}" /></label>
      <label
        >Group
        <input
          name="group"
          value="${query["group"] ?? ""}"
          placeholder="concurrency group key"
          title="a concurrency group's key as rendered, or its namespace/hash"
      /></label>
      <button type="submit">Filter</button> <a href="/ui/">clear</a>
    </form>
    <table>
      <thead>
        <tr>
          <th>Received (UTC)</th>
          <th>Listener</th>
          <th>Type</th>
          <th>Outcome</th>
          <th>Triggers</th>
          <th>Delivery id</th>
        </tr>
      </thead>
      <tbody>
        ${
          rows.length === 0
            ? html`<tr>
                <td colspan="6" class="muted">No events yet.</td>
              </tr>`
            : rows
        }
      </tbody>
    </table>
    ${page.next === undefined ? "" : html`<p><a href="/ui/?${qs({ cursor: page.next })}">Older events →</a></p>`}`;
  return layout("Events", body, { live: "/api/v1/event-stream" });
}

/** An outcome as the list shows it (the limit itself is on the event's page). */
function outcomeLabel(outcome: string): string {
  return outcome === "rateLimited" || outcome === "rate_limited" ? "rate limited" : outcome;
}
