import type { ChartRange } from "../event-chart-range.js";
import type { EventCountBucket, EventOutcome } from "../../store/types.js";
import { html, type SafeHtml } from "./html.js";

/** Stacking order, bottom up: what ran, then what was stopped, then what never reached a trigger. */
const STACK: readonly EventOutcome[] = [
  "fired",
  "filtered",
  "rate_limited",
  "duplicate",
  "rejected",
  "failed",
  "invalid",
];

const WIDTH = 1000;
const HEIGHT = 100;

const hhmm = (d: Date): string => d.toISOString().slice(11, 16);

/**
 * Events over time by outcome, as an inline SVG drawn here (no script, no style attribute: the
 * bars take their colours from the page's stylesheet by class). Each bar has a tooltip with its
 * counts; the legend gives the totals; `rangeHref` links the other ranges.
 */
export function renderEventsChart(
  buckets: readonly EventCountBucket[],
  range: ChartRange,
  rangeHref: (range: ChartRange) => string,
): SafeHtml {
  const totals = Object.fromEntries(
    STACK.map((o) => [o, buckets.reduce((n, b) => n + b.counts[o], 0)]),
  ) as Record<EventOutcome, number>;
  const peak = Math.max(1, ...buckets.map((b) => STACK.reduce((n, o) => n + b.counts[o], 0)));
  const barWidth = WIDTH / Math.max(1, buckets.length);
  const bars = buckets.map((b, i) => {
    let y = HEIGHT;
    const parts = STACK.filter((o) => b.counts[o] > 0).map((o) => {
      const h = (b.counts[o] / peak) * HEIGHT;
      y -= h;
      return html`<rect
        class="bar ${o}"
        x="${(i * barWidth + 0.5).toFixed(1)}"
        y="${y.toFixed(2)}"
        width="${Math.max(0.5, barWidth - 1).toFixed(1)}"
        height="${h.toFixed(2)}"
      />`;
    });
    if (parts.length === 0) return "";
    const label = STACK.filter((o) => b.counts[o] > 0)
      .map((o) => `${b.counts[o]} ${o}`)
      .join(", ");
    return html`<g>
      <title>${hhmm(b.start)} UTC: ${label}</title>
      ${parts}
    </g>`;
  });
  const first = buckets[0];
  const middle = buckets[Math.floor(buckets.length / 2)];
  const sum = STACK.reduce((n, o) => n + totals[o], 0);
  const unit = range === "hour" ? "minute" : "half hour";
  return html`<div class="card chart-card">
    <div class="chart-head">
      <h2>Events, last ${range}</h2>
      <span class="muted small"
        >${sum === 0 ? "none" : `${sum} in all, at most ${peak} per ${unit}`}</span
      >
      <span class="chart-ranges">
        ${(["hour", "day"] as const).map((r) =>
          r === range
            ? html`<strong>last ${r}</strong>`
            : html`<a href="${rangeHref(r)}">last ${r}</a>`,
        )}
      </span>
    </div>
    <svg
      class="chart"
      viewBox="0 0 ${WIDTH} ${HEIGHT}"
      preserveAspectRatio="none"
      role="img"
      aria-label="Events per ${unit} by outcome"
    >
      <line class="axis" x1="0" y1="${HEIGHT}" x2="${WIDTH}" y2="${HEIGHT}" />
      ${bars}
    </svg>
    <div class="chart-axis muted small">
      <span>${first === undefined ? "" : `${hhmm(first.start)} UTC`}</span>
      <span>${middle === undefined ? "" : hhmm(middle.start)}</span>
      <span>now</span>
    </div>
    <div class="chart-legend">
      ${STACK.map(
        (o) =>
          html`<span class="badge ${o}" title="${o} in the last ${range}">${o} ${totals[o]}</span>`,
      )}
    </div>
  </div>`;
}
