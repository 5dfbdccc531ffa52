import { createHash } from "node:crypto";
import { html, SafeHtml } from "./html.js";

const STYLE = `
:root { --bg:#f7f8fa; --fg:#1d2330; --muted:#687086; --line:#e1e4ea; --card:#fff;
  --ok:#137a3a; --ok-bg:#e3f5e9; --warn:#8a5a00; --warn-bg:#fff3d6; --bad:#b42318; --bad-bg:#fde7e5;
  --info:#2f5bb7; --info-bg:#e6edfb; --dim-bg:#eef0f4; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--fg); }
header { background:#1d2330; color:#fff; padding:10px 24px; display:flex; gap:16px; align-items:baseline; }
header a { color:#fff; text-decoration:none; font-weight:600; font-size:16px; }
header span { color:#b9c0d0; font-size:13px; }
main { padding:20px 24px; max-width:1200px; }
h1 { font-size:20px; margin:0 0 12px; } h2 { font-size:16px; margin:0; }
a { color:var(--info); }
table { width:100%; border-collapse:collapse; background:var(--card); border:1px solid var(--line); border-radius:6px; }
th, td { text-align:left; padding:7px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.03em; }
tr:hover td { background:#fafbfd; }
code, pre { font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
pre { background:#0f1522; color:#e6e9f0; padding:12px; border-radius:6px; overflow:auto; max-height:420px; margin:6px 0 0; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; margin:1px 4px 1px 0; white-space:nowrap; }
.fired,.delivered,.continue { color:var(--ok); background:var(--ok-bg); }
.filtered,.duplicate,.pending,.not_attempted,.superseded { color:var(--muted); background:var(--dim-bg); }
.rejected,.failed,.timedOut,.dead,.error,.invalid,.stop { color:var(--bad); background:var(--bad-bg); }
.warn,.rateLimited,.rate_limited { color:var(--warn); background:var(--warn-bg); }
form.filters { display:flex; gap:8px; flex-wrap:wrap; margin:0 0 12px; align-items:end; }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); }
input, select, button { font:inherit; padding:5px 8px; border:1px solid var(--line); border-radius:5px; background:#fff; }
button { background:var(--info); color:#fff; border-color:var(--info); cursor:pointer; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin:0 0 14px; overflow-x:auto; }
.card.stopped { border-left:4px solid var(--bad); }
.card.fired { border-left:4px solid var(--ok); }
.card.filtered { border-left:4px solid #b7bdcb; }
.answer { font-size:15px; margin:0 0 14px; padding:12px 16px; border-radius:8px; }
.badge.block, .answer { white-space:normal; overflow-wrap:anywhere; }
td { overflow-wrap:anywhere; }
td .badge { overflow-wrap:normal; }
td.badges .badge { white-space:normal; }
.nowrap { white-space:nowrap; }
.kv { display:grid; grid-template-columns:max-content 1fr; gap:2px 14px; margin:8px 0; }
.kv div:nth-child(odd) { color:var(--muted); }
.stopper td { background:var(--bad-bg) !important; font-weight:600; }
.muted { color:var(--muted); }
details summary { cursor:pointer; color:var(--info); margin-top:8px; }
.small { font-weight:normal; font-size:12px; }
.block { display:block; }
h2.spaced { margin-top:12px; }
.actions { display:flex; gap:10px; align-items:center; flex-wrap:wrap; margin-top:10px; }
.actions form { margin:0; }
button.secondary { background:#fff; color:var(--info); }
.chart-head { display:flex; gap:12px; align-items:baseline; flex-wrap:wrap; }
.chart-ranges { margin-left:auto; display:flex; gap:10px; }
.chart { display:block; width:100%; height:80px; margin-top:8px; }
.chart .axis { stroke:var(--line); stroke-width:1; vector-effect:non-scaling-stroke; }
.bar.fired { fill:#2e9d57; } .bar.filtered { fill:#b7bdcb; } .bar.duplicate { fill:#d5d9e2; }
.bar.rejected { fill:#e0574b; } .bar.failed { fill:#b42318; } .bar.invalid { fill:#f29b90; }
.bar.rate_limited { fill:#d9a21b; }
.chart-axis { display:flex; justify-content:space-between; }
.chart-legend { margin-top:4px; }
`;

/**
 * The page's one stylesheet, built outside `html` so that no formatter changes the text between
 * the tags: the Content-Security-Policy allows exactly this text by its hash, and nothing else.
 * Inline `style="…"` attributes are refused by that policy; use a class.
 */
const STYLE_ELEMENT = new SafeHtml(`<style>${STYLE}</style>`);

/** The CSP source that allows the page's stylesheet (CSP Level 2 hash-source). */
export const STYLE_SOURCE = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

/**
 * The page's one script, allowed by its hash as the stylesheet is. A button with `data-copy`
 * copies the text of the element it names (or, where the clipboard is not offered — a page not
 * on localhost nor HTTPS — selects it for Ctrl+C). A body with `data-live` listens to that event
 * stream and, at most every 2 s while events come, fetches the page again and swaps in its
 * `<main>` (the list, the chart, the filters as they are in the URL); if the stream is refused
 * (too many open) it says so and tries again after 30 s.
 */
const SCRIPT = `
document.addEventListener("click", function (e) {
  var button = e.target instanceof Element ? e.target.closest("button[data-copy]") : null;
  if (button === null) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (source === null) return;
  var select = function () {
    var details = source.closest("details");
    if (details !== null) details.open = true;
    window.getSelection().selectAllChildren(source);
    button.textContent = "Selected: press Ctrl+C";
  };
  if (!navigator.clipboard) return select();
  navigator.clipboard.writeText(source.textContent).then(function () {
    button.textContent = "Copied";
  }, select);
});
document.addEventListener("DOMContentLoaded", function () {
  var live = document.body.getAttribute("data-live");
  if (live === null || typeof EventSource === "undefined") return;
  var status = document.getElementById("live");
  var say = function (text) { if (status !== null) status.textContent = text; };
  var timer = null;
  var last = 0;
  var refresh = function () {
    var focus = document.activeElement;
    // Not while someone types a filter: the form would be swapped under their cursor.
    if (focus !== null && focus.closest("form") !== null) { timer = setTimeout(refresh, 2000); return; }
    timer = null;
    last = Date.now();
    fetch(location.href, { headers: { Accept: "text/html" } }).then(function (r) {
      return r.ok ? r.text() : Promise.reject(r.status);
    }).then(function (text) {
      var next = new DOMParser().parseFromString(text, "text/html").querySelector("main");
      var main = document.querySelector("main");
      if (next !== null && main !== null) main.replaceWith(next);
      status = document.getElementById("live");
      say("live");
    }, function () { say("live (refresh failed)"); });
  };
  var connect = function () {
    var source = new EventSource(live);
    source.addEventListener("open", function () { say("live"); });
    source.addEventListener("event", function () {
      if (timer === null) timer = setTimeout(refresh, Math.max(500, 2000 - (Date.now() - last)));
    });
    source.addEventListener("error", function () {
      if (source.readyState !== EventSource.CLOSED) return say("reconnecting");
      say("not live: reload to update");
      setTimeout(connect, 30000);
    });
  };
  connect();
});
`;

const SCRIPT_ELEMENT = new SafeHtml(`<script>${SCRIPT}</script>`);

/** The CSP source that allows the page's script. */
export const SCRIPT_SOURCE = `'sha256-${createHash("sha256").update(SCRIPT).digest("base64")}'`;

export function layout(
  title: string,
  body: SafeHtml,
  /** `live`: the page swaps in a fresh copy of itself when this stream announces an event. */
  options: { live?: string } = {},
): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · hookline</title>
        ${STYLE_ELEMENT} ${SCRIPT_ELEMENT}
      </head>
      <body ${options.live === undefined ? "" : html`data-live="${options.live}"`}>
        <header><a href="/ui/">hookline</a><span>webhook deliveries</span></header>
        <main>${body}</main>
      </body>
    </html>`.value;
}
