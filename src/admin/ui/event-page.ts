import { stringify } from "yaml";
import type { DeliveryView, EventView, TriggerView } from "../event-view.js";
import type { FoldedNotApplicable } from "../../listener/fold-not-applicable.js";
import { describeTimedOut } from "../../listener/describe-timed-out.js";
import { groupActionLine, queuedLine } from "../group-lines.js";
import { html, type SafeHtml } from "./html.js";
import { layout } from "./layout.js";
import { assertNever } from "../../errors/assert-never.js";

/**
 * One event: the answer, then each trigger's decision laid out step by step. With a trace URL
 * template (HOOKLINE_TRACE_URL, `{traceId}` in it), a traced event links to its trace.
 */
export function renderEventPage(
  event: EventView,
  replayToken: string,
  /** The request as a bash snippet ("copy as curl"), when the body was kept. */
  curl: string | undefined,
  traceUrl?: string,
): string {
  const body = html`<p><a href="/ui/">← all events</a></p>
    <h1>Event <code>${event.id}</code></h1>
    <div class="answer ${event.outcome} badge block">${summaryLine(event)}</div>
    <div class="card">
      <div class="kv">
        <div>Listener</div>
        <div>${event.listener.namespace}/${event.listener.name}</div>
        <div>Received</div>
        <div>${event.receivedAt}</div>
        <div>Answer</div>
        <div>${event.status}</div>
        <div>Provider</div>
        <div>${event.provider}</div>
        <div>Delivery id</div>
        <div><code>${event.deliveryId ?? "—"}</code></div>
        <div>Request</div>
        <div>
          <code>${event.method} ${event.url}</code> · ${event.body.bytes}
          bytes${event.body.kept ? "" : " · body not kept"}
        </div>
        ${
          event.duplicateOf === null
            ? ""
            : html`<div>Duplicate of</div>
                <div><a href="/ui/events/${event.duplicateOf}">${event.duplicateOf}</a></div>`
        }
        ${
          event.replayOf === null
            ? ""
            : html`<div>Replay of</div>
                <div><a href="/ui/events/${event.replayOf}">${event.replayOf}</a></div>`
        }
        ${
          event.traceId === null
            ? ""
            : html`<div>Trace</div>
                <div>
                  ${
                    traceUrl === undefined
                      ? html`<code>${event.traceId}</code>`
                      : html`<a
                          href="${traceUrl.replace("{traceId}", event.traceId)}"
                          rel="noreferrer"
                          ><code>${event.traceId}</code></a
                        >`
                  }
                </div>`
        }
      </div>
      ${
        event.body.kept
          ? html`<div class="actions">
                <form method="post" action="/ui/events/${event.id}/replay">
                  <input type="hidden" name="csrf" value="${replayToken}" />
                  <button type="submit">Replay this event</button>
                </form>
                ${
                  curl === undefined
                    ? ""
                    : html`<button type="button" class="secondary" data-copy="curl">
                          Copy as curl
                        </button>
                        <a href="/ui/events/${event.id}/request.http" download>Download .http</a>`
                }
              </div>
              ${
                curl === undefined
                  ? ""
                  : html`<details>
                      <summary>The request as curl (credentials and signatures left out)</summary>
                      <pre id="curl">${curl}</pre>
                    </details>`
              }`
          : html`<p class="muted">
              Body not kept: no trigger authenticated this request and it fired nothing, so only
              what describes it was recorded. It cannot be replayed.
            </p>`
      }
    </div>
    ${
      event.triggers.length === 0
        ? html`<p class="muted">No trigger ran for this event.</p>`
        : event.triggers.map(renderTrigger)
    }
    ${event.notApplicable === null ? "" : renderNotApplicable(event.notApplicable)}
    ${
      event.listenerDelivery === null
        ? ""
        : html`<div class="card">
            <h2>EventListener ${event.listener.name}</h2>
            <p class="muted">
              Tekton's lifecycle CloudEvents, sent to the listener's cloudEventURI.
            </p>
            ${renderDelivery(event.listenerDelivery, "CloudEvents")}
          </div>`
    }
    <div class="card">
      <h2>Request</h2>
      <details>
        <summary>Headers</summary>
        <pre>${stringify(event.headers)}</pre>
      </details>
      ${renderBody(event.body)}
    </div>`;
  return layout(`Event ${event.id.slice(0, 8)}`, body);
}

function renderBody(body: EventView["body"]): SafeHtml {
  if (!body.kept)
    return html`<div class="kv">
      <div>Body</div>
      <div>body not kept · ${body.bytes} bytes · sha256 <code>${body.sha256}</code></div>
      <div>Reason</div>
      <div>${body.reason}</div>
    </div>`;
  return html`<details>
    <summary>Body</summary>
    <pre>${body.encoding === "utf8" ? prettyJSON(body.data) : `(binary, base64) ${body.data}`}</pre>
  </details>`;
}

/**
 * The triggers the event was not for, as one folded line ("997 triggers did not apply: 990 other
 * repositories, 7 other event types"); opened, one short line per trigger, never a stop card.
 */
function renderNotApplicable(folded: FoldedNotApplicable): SafeHtml {
  const shown = folded.triggers.slice(0, MAX_LISTED);
  return html`<details class="card not-applicable">
    <summary>${folded.summary}</summary>
    <ul class="muted small">
      ${shown.map((t) => html`<li><strong>${t.trigger || "(unnamed)"}</strong> — ${t.message}</li>`)}
      ${folded.count > shown.length ? html`<li>… and ${folded.count - shown.length} more</li>` : ""}
    </ul>
  </details>`;
}

/** Past this many, the folded list says how many more there are. */
const MAX_LISTED = 200;

function summaryLine(event: EventView): string {
  const fired = event.triggers.filter((t) => t.outcome.kind === "fired").map((t) => t.trigger);
  if (event.outcome === "duplicate") return "Duplicate delivery: nothing ran again.";
  if (event.outcome === "invalid") return "The body was refused before any trigger ran.";
  if (fired.length > 0) return `Fired: ${fired.join(", ")}.`;
  if (event.outcome === "rate_limited") {
    const limited = event.triggers.flatMap((t) =>
      t.outcome.kind === "rateLimited" ? [`${t.trigger || "(unnamed)"} — ${reason(t)}`] : [],
    );
    return `Nothing fired: ${limited.join("; ")}.`;
  }
  const stopped = event.triggers.map((t) => `${t.trigger || "(unnamed)"} — ${reason(t)}`);
  if (event.notApplicable !== null) stopped.push(event.notApplicable.summary);
  return stopped.length === 0 ? "Nothing ran." : `Nothing fired. ${stopped.join("; ")}`;
}

function reason(t: TriggerView): string {
  const o = t.outcome;
  switch (o.kind) {
    case "fired":
      return "fired";
    case "filtered":
    case "rejected":
      return `${o.kind} by ${o.interceptor}: ${o.message}`;
    case "not_applicable":
      return `did not apply: ${o.message}`;
    case "failed":
      return `failed (${o.code === undefined ? o.stage : `${o.stage}, ${o.code}`}): ${o.message}`;
    case "timedOut":
      return describeTimedOut(o);
    case "rateLimited":
      return `${rateLimitedLabel(o)}: ${o.scope === "listener" ? "the EventListener's" : "the Trigger's"} bucket was empty, nothing was created`;
    default:
      return assertNever(o);
  }
}

/** The badge and banner text of a rate-limited trigger: `rate limited (20/m)`. */
function rateLimitedLabel(o: { limit: string }): string {
  return `rate limited (${o.limit})`;
}

function renderTrigger(t: TriggerView): SafeHtml {
  const stopped = t.outcome.kind !== "fired";
  const stopIndex = t.interceptors.findIndex((i) => i.outcome !== "continue");
  return html`<div
    class="card ${stopped ? (t.outcome.kind === "filtered" || t.outcome.kind === "not_applicable" ? "filtered" : "stopped") : "fired"}"
  >
    <h2>
      ${t.trigger || "(unnamed trigger)"}
      <span class="badge ${t.outcome.kind}"
        >${t.outcome.kind === "rateLimited" ? rateLimitedLabel(t.outcome) : t.outcome.kind}</span
      >
      <span class="muted small"
        >${t.namespace} · ${t.via}${t.group === null ? "" : ` · group ${t.group}`} ·
        ${t.durationMs.toFixed(1)} ms</span
      >
    </h2>
    ${stopped ? html`<p><strong>${reason(t)}</strong></p>` : ""}
    ${
      t.interceptors.length === 0
        ? html`<p class="muted">No interceptors.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>#</th>
                <th>Interceptor</th>
                <th>Outcome</th>
                <th>Code</th>
                <th>Message / extensions</th>
                <th>ms</th>
              </tr>
            </thead>
            <tbody>
              ${t.interceptors.map(
                (i, n) =>
                  html`<tr class="${n === stopIndex ? "stopper" : ""}">
                    <td>${n + 1}</td>
                    <td>${i.interceptor}</td>
                    <td><span class="badge ${i.outcome}">${i.outcome}</span></td>
                    <td>${i.code ?? ""}</td>
                    <td>
                      ${i.message ?? (i.extensions === undefined ? "" : `adds ${i.extensions.join(", ")}`)}
                    </td>
                    <td>${i.durationMs.toFixed(2)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${
      Object.keys(t.extensions).length === 0
        ? ""
        : html`<details>
            <summary>Extensions</summary>
            <pre>${stringify(t.extensions)}</pre>
          </details>`
    }
    ${
      t.params.length === 0
        ? ""
        : html`<details ${t.outcome.kind === "fired" ? "" : html`open`}>
            <summary>Params (${t.params.length})</summary>
            <table>
              <thead>
                <tr>
                  <th>Param</th>
                  <th>Value</th>
                  <th>From</th>
                </tr>
              </thead>
              <tbody>
                ${t.params.map(
                  (p) =>
                    html`<tr>
                      <td>${p.name}</td>
                      <td><code>${p.value}</code></td>
                      <td class="muted">${p.source}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </details>`
    }
    ${t.delivery === null ? "" : renderDelivery(t.delivery, "Resources")}
  </div>`;
}

function renderDelivery(d: DeliveryView, title: string): SafeHtml {
  return html`<h2 class="spaced">
      ${title} <span class="badge ${d.state}">${d.state}</span>
      <span class="muted small"
        >${d.attempts}
        attempt${d.attempts === 1 ? "" : "s"}${d.nextAttemptAt === null ? "" : ` · next at ${d.nextAttemptAt}`}</span
      >
    </h2>
    ${d.lastError === null ? "" : html`<p class="badge dead block">Last error: ${d.lastError}</p>`}
    ${
      d.supersededBy === null
        ? ""
        : html`<p class="superseded">
            Superseded by event <a href="/ui/events/${d.supersededBy}">${d.supersededBy}</a>: a
            newer event of its concurrency group took its place, so nothing of it was created.
          </p>`
    }
    ${
      d.concurrency === null
        ? ""
        : html`<p class="muted small">
            Concurrency group
            <a href="/ui/?group=${encodeURIComponent(d.concurrency.groupId)}"
              ><code>${d.concurrency.group}</code></a
            >
            · ${d.concurrency.strategy}
          </p>`
    }
    ${d.queued === null ? "" : html`<p class="queued">${queuedLine(d.queued)}</p>`}
    ${d.groupActions.map(
      (a) =>
        html`<details>
          <summary>${groupActionLine(a)} <span class="badge ${a.state}">${a.state}</span></summary>
          ${renderAttempts(a.attempts, a.action === "cancel" ? "sent" : "started")}
          <p class="muted">Delivery key <code>${a.deliveryKey}</code> · ${a.namespace}</p>
        </details>`,
    )}
    ${d.resources.map(
      (r) =>
        html`<details>
          <summary>
            ${r.kind} ${r.namespace}/${r.name ?? "(generated)"}
            <span class="badge ${r.state}">${r.state}</span>
          </summary>
          ${renderAttempts(r.attempts, "created")}
          <pre>${stringify(r.body)}</pre>
        </details>`,
    )}
    ${d.patches.map(
      (p) =>
        html`<details>
          <summary>
            Patch (${p.type}) of ${p.target.kind} ${p.target.namespace}/${p.target.name}
            <span class="muted small">${p.target.apiVersion}</span>
            <span class="badge ${p.state}">${p.state}</span>
          </summary>
          ${renderAttempts(p.attempts, "applied")}
          <pre>${stringify(p.patch)}</pre>
        </details>`,
    )}
    ${d.httpRequests.map(
      (h) =>
        html`<details>
          <summary>
            HTTPRequest <code>${h.method} ${h.url}</code>
            ${h.answer === null ? "" : html`<span class="muted small">answered ${h.answer.status}</span>`}
            <span class="badge ${h.state}">${h.state}</span>
          </summary>
          ${renderAttempts(h.attempts, "answered as expected")}
          <p class="muted">Idempotency-Key <code>${h.deliveryKey}</code></p>
          <pre>
${stringify({
              headers: Object.fromEntries(
                h.headers.map((x) => [x.name, x.value ?? { secretRef: x.secretRef }]),
              ),
              ...(h.body === null ? {} : { body: h.body }),
            })}</pre>
          ${
            h.answer === null
              ? ""
              : html`<p class="muted">
                    Answer ${h.answer.status} at
                    ${h.answer.at}${h.answer.truncated ? " (first bytes)" : ""}
                  </p>
                  <pre>${h.answer.body}</pre>`
          }
        </details>`,
    )}
    ${d.cloudEvents.map(
      (c) =>
        html`<details>
          <summary>
            CloudEvent <code>${c.type}</code> to <code>${c.uri}</code>
            <span class="badge ${c.state}">${c.state}</span>
          </summary>
          ${renderAttempts(c.attempts, "sent")}
          <p class="muted">id <code>${c.id}</code></p>
        </details>`,
    )}`;
}

function renderAttempts(
  attempts: DeliveryView["resources"][number]["attempts"],
  done: string,
): SafeHtml | string {
  if (attempts.length === 0) return "";
  return html`<ul>
    ${attempts.map((a) => html`<li><code>${a.at}</code> ${a.error === undefined ? done : `failed${a.retryable === false ? " (permanent)" : ""}: ${a.error}`}</li>`)}
  </ul>`;
}

function prettyJSON(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
