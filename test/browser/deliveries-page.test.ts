import { execFile } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser } from "playwright-core";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHttpRequest } from "../../src/cli/parse-http-request.js";
import { serve, type Running } from "../../src/main.js";
import { createLogger } from "../../src/log/logger.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  ROOT,
  githubFixture,
  signGithub,
  wire,
} from "../support/fixtures.js";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = join(ROOT, "test-results");
const run = promisify(execFile);
/** A common laptop screen: the list must fit it without scrolling sideways. */
const LAPTOP = { width: 1366, height: 768 };

/** Whether the page scrolls sideways (a string: the test's tsconfig has no DOM types). */
const SCROLLS_SIDEWAYS =
  "document.documentElement.scrollWidth > document.documentElement.clientWidth";

/**
 * The deliveries page in a real browser (Debian's chromium, driven by playwright-core): the list,
 * a filter, an event whose trigger was rejected and why, Replay, and the new event.
 */
describe.skipIf(!HAVE_CHROMIUM && process.env["CI"] === undefined)(
  `the deliveries page in a browser${HAVE_CHROMIUM ? "" : " (skipped: no chromium at /usr/bin/chromium; apt-get install chromium)"}`,
  () => {
    let running: Running;
    let browser: Browser;
    let outDir: string;
    beforeAll(async () => {
      outDir = join(ROOT, "test-results", `out-${process.pid}`);
      running = await serve({
        configDir: EXAMPLE_CONFIG,
        port: 0,
        host: "127.0.0.1",
        outDir,
        secretsDir: undefined,
        maxBodyBytes: 1024 * 1024,
        defaultListener: undefined,
        store: "memory",
        adminAddr: "127.0.0.1:0",
        log: createLogger({ silent: true }),
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await running?.close();
    });

    it("shows the list, filters it, explains a rejected trigger, and replays an event", async () => {
      const listener = `http://127.0.0.1:${running.port}`;
      const admin = `http://127.0.0.1:${running.adminPort}`;
      const body = githubFixture("push");
      const post = async (secret: string, deliveryId: string): Promise<string> => {
        const res = await request(listener)
          .post("/")
          .set("Content-Type", "application/json")
          .set("X-GitHub-Event", "push")
          .set("X-GitHub-Delivery", deliveryId)
          .set("X-Hub-Signature-256", await signGithub(body, secret))
          .send(wire(body));
        return (res.body as { eventID: string }).eventID;
      };
      const fired = await post(EXAMPLE_SECRET, "page-ok");
      const rejected = await post("an-old-secret", "page-bad");

      const page = await browser.newPage({ viewport: LAPTOP });
      // The page's Content-Security-Policy must allow everything the page itself uses: a
      // stylesheet whose hash drifted, or an inline style attribute, shows up here.
      const violations: string[] = [];
      page.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(`${admin}/ui/`);
      await expect.poll(() => page.locator("tbody tr").count()).toBe(2);
      expect(await page.locator("tbody").innerText()).toContain("page-bad");

      await page.selectOption("select[name=outcome]", "rejected");
      await page.click("button[type=submit]");
      await page.waitForURL(/outcome=rejected/);
      expect(await page.locator("tbody tr").count()).toBe(1);

      await page.click(`a[href="/ui/events/${rejected}"]`);
      await page.waitForURL(new RegExp(rejected));
      const answer = await page.locator(".answer").innerText();
      expect(answer).toContain("rejected by github: payload signature check failed");
      const card = page.locator(".card", { hasText: "github-push" }).first();
      expect(await card.locator("tr.stopper").innerText()).toContain("FAILED_PRECONDITION");
      // The triggers for other providers are folded away, not in the reader's way.
      expect(await page.locator("details.card > summary").innerText()).toContain("did not apply");
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "event-page-rejected.png"), fullPage: true });

      await page.goto(`${admin}/ui/events/${fired}`);
      await page.click("text=Replay this event");
      await page.waitForURL(
        (url) => !url.pathname.endsWith(fired) && url.pathname.startsWith("/ui/events/"),
      );
      expect(await page.locator(".kv").innerText()).toContain(fired);
      expect(await page.locator(".answer").innerText()).toContain("Fired: github-push");
      await page.screenshot({ path: join(ARTIFACTS, "event-page-replay.png"), fullPage: true });
      // The stylesheet applied (header bar is styled), and nothing was refused.
      // (A string: the test's tsconfig has no DOM types.)
      expect(
        await page.evaluate("getComputedStyle(document.querySelector('header')).display"),
      ).toBe("flex");
      expect(violations).toEqual([]);
      await page.close();
    }, 60_000);

    it("folds a ping's not-applicable triggers (a listener of four) into one line, no stop cards", async () => {
      const listener = `http://127.0.0.1:${running.port}`;
      const admin = `http://127.0.0.1:${running.adminPort}`;
      const body = githubFixture("ping");
      const res = await request(listener)
        .post("/")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "ping")
        .set("X-GitHub-Delivery", "page-ping")
        .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
        .send(wire(body));
      const ping = (res.body as { eventID: string }).eventID;
      const page = await browser.newPage({ viewport: LAPTOP });
      await page.goto(`${admin}/ui/events/${ping}`);
      // One folded line for every trigger of the listener, and not one card that looks like a stop.
      expect(await page.locator("details.card.not-applicable").count()).toBe(1);
      const summary = await page.locator("details.card.not-applicable > summary").innerText();
      expect(summary).toMatch(/^4 triggers did not apply: /);
      expect(await page.locator(".card.stopped").count()).toBe(0);
      expect(await page.locator("tr.stopper").count()).toBe(0);
      // Folded: the names are there, but not shown until the line is opened.
      expect(await page.locator("details.card.not-applicable li").first().isVisible()).toBe(false);
      await page.click("details.card.not-applicable > summary");
      expect(await page.locator("details.card.not-applicable li").first().isVisible()).toBe(true);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "event-page-ping.png"), fullPage: true });
      await page.close();
    }, 60_000);

    it("fits a laptop screen, shows each event's type, and wraps a long reason", async () => {
      const listener = `http://127.0.0.1:${running.port}`;
      const admin = `http://127.0.0.1:${running.adminPort}`;
      // A tag push: signed, so the github interceptor lets it through, and the CEL filter (branch
      // pushes only) stops it with a long reason that quotes the expression.
      const push = JSON.parse(githubFixture("push").toString("utf8")) as Record<string, unknown>;
      const tag = Buffer.from(JSON.stringify({ ...push, ref: "refs/tags/v1.0.0" }));
      const res = await request(listener)
        .post("/")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set("X-GitHub-Delivery", "8f7c1a3e-4b2d-11ef-9a3c-0242ac120002")
        .set("X-Hub-Signature-256", await signGithub(tag, EXAMPLE_SECRET))
        .send(wire(tag));
      const filtered = (res.body as { eventID: string }).eventID;

      const page = await browser.newPage({ viewport: LAPTOP });
      await page.goto(`${admin}/ui/`);
      const row = page.locator("tbody tr", { hasText: "8f7c1a3e-4b2d" });
      expect(await row.locator("td").nth(2).innerText()).toMatch(/^push\s+github$/);
      expect(await page.locator("thead").innerText()).toMatch(/Type/i);
      expect(await page.evaluate(SCROLLS_SIDEWAYS)).toBe(false);
      // The chart: this hour's events as bars coloured by outcome, drawn by the server.
      expect(await page.locator("svg.chart rect.bar.fired").count()).toBeGreaterThan(0);
      expect(await page.locator("svg.chart rect.bar.rejected").count()).toBeGreaterThan(0);
      expect(await page.locator(".chart-legend").innerText()).toMatch(/rejected 1/);
      expect(
        await page.evaluate("getComputedStyle(document.querySelector('rect.bar.fired')).fill"),
      ).toBe("rgb(46, 157, 87)");
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "events-list-1366.png"), fullPage: true });
      await page.click("text=last day");
      await page.waitForURL(/range=day/);
      expect(await page.locator(".chart-head h2").innerText()).toBe("Events, last day");
      expect(await page.locator("svg.chart rect.bar.filtered").count()).toBeGreaterThan(0);

      await page.goto(`${admin}/ui/events/${filtered}`);
      expect(await page.locator(".answer").innerText()).toContain(
        "filtered by cel: expression body.ref.startsWith('refs/heads/')",
      );
      expect(await page.evaluate(SCROLLS_SIDEWAYS)).toBe(false);
      // In a narrow window the reason takes several lines inside the banner, none cut off.
      await page.setViewportSize({ width: 480, height: 800 });
      const banner = await page.evaluate<{ scroll: number; client: number; height: number }>(
        "(() => { const a = document.querySelector('.answer'); return { scroll: a.scrollWidth, client: a.clientWidth, height: a.clientHeight }; })()",
      );
      expect(banner.scroll).toBeLessThanOrEqual(banner.client);
      expect(banner.height).toBeGreaterThan(60);
      expect(await page.evaluate(SCROLLS_SIDEWAYS)).toBe(false);
      await page.screenshot({
        path: join(ARTIFACTS, "event-page-long-reason.png"),
        fullPage: true,
      });
      await page.close();
    }, 60_000);
    it("copies an event as curl that, run against the listener, reproduces it", async () => {
      const listener = `http://127.0.0.1:${running.port}`;
      const admin = `http://127.0.0.1:${running.adminPort}`;
      const push = JSON.parse(githubFixture("push").toString("utf8")) as Record<string, unknown>;
      const tag = Buffer.from(JSON.stringify({ ...push, ref: "refs/tags/it's-v2" }, null, 1));
      const res = await request(listener)
        .post("/listeners/default/github-listener")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set("X-GitHub-Delivery", "curl-copy-1")
        .set("X-Hub-Signature-256", await signGithub(tag, EXAMPLE_SECRET))
        .send(wire(tag));
      const original = (res.body as { eventID: string }).eventID;

      const context = await browser.newContext({ viewport: LAPTOP });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: admin });
      const page = await context.newPage();
      await page.goto(`${admin}/ui/events/${original}`);
      await page.click("text=Copy as curl");
      await expect.poll(() => page.locator("button[data-copy]").innerText()).toBe("Copied");
      const curl = await page.evaluate<string>("navigator.clipboard.readText()");
      expect(curl).not.toContain("X-Hub-Signature-256: sha256=");
      const download = page.waitForEvent("download");
      await page.click("text=Download .http");
      const http = readFileSync(await (await download).path());
      expect(http.toString("latin1")).toMatch(/^# hookline event /);
      await context.close();

      // `hookline sign` on the PATH as a user has it, and the secret in a file.
      const dir = mkdtempSync(join(tmpdir(), "hookline-curl-"));
      writeFileSync(
        join(dir, "hookline"),
        `#!/bin/sh\nexec node ${join(ROOT, "bin/hookline.js")} "$@"\n`,
      );
      chmodSync(join(dir, "hookline"), 0o755);
      writeFileSync(join(dir, "secret"), EXAMPLE_SECRET);
      // Not execFileSync: the listener answers from this very process.
      const { stdout: answer } = await run("bash", ["-c", curl], {
        env: {
          ...process.env,
          PATH: `${dir}:${process.env["PATH"] ?? ""}`,
          SECRET_FILE: join(dir, "secret"),
        },
      });
      const again = (JSON.parse(answer) as { eventID: string }).eventID;
      expect(again).not.toBe(original);

      interface Shown {
        url: string;
        outcome: string;
        body: { data: string };
        headers: Record<string, string[]>;
        triggers: { trigger: string; outcome: unknown }[];
      }
      const show = async (id: string): Promise<Shown> =>
        (await request(admin).get(`/api/v1/events/${id}`)).body as Shown;
      const [before, after] = [await show(original), await show(again)];
      expect(after.outcome).toBe("filtered");
      expect(after.url).toBe(before.url);
      expect(after.body.data).toBe(before.body.data);
      expect(after.headers["X-Github-Delivery"]).toEqual(["curl-copy-1"]);
      // Each trigger decided the same, for the same reason (timings aside).
      const decisions = (e: Shown): unknown[] => e.triggers.map((t) => [t.trigger, t.outcome]);
      expect(decisions(after)).toEqual(decisions(before));
      // The downloaded file reads back as the same request.
      const read = parseHttpRequest(http);
      expect([read.method, read.url, read.body.toString("utf8")]).toEqual([
        "POST",
        before.url,
        before.body.data,
      ]);
    }, 60_000);

    it("shows a new event on the list as it arrives, without reloading the page", async () => {
      const listener = `http://127.0.0.1:${running.port}`;
      const admin = `http://127.0.0.1:${running.adminPort}`;
      const page = await browser.newPage({ viewport: LAPTOP });
      await page.goto(`${admin}/ui/`);
      await expect.poll(() => page.locator("#live").innerText()).toBe("live");
      // A mark that a reload would wipe out.
      await page.evaluate("window.stillTheSamePage = true");
      const body = githubFixture("push");
      await request(listener)
        .post("/")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set("X-GitHub-Delivery", "live-1")
        .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
        .send(wire(body));
      await expect
        .poll(() => page.locator("tbody tr", { hasText: "live-1" }).count(), { timeout: 10_000 })
        .toBe(1);
      expect(await page.evaluate("window.stillTheSamePage")).toBe(true);
      expect(await page.locator("meta[http-equiv=refresh]").count()).toBe(0);
      await page.close();
    }, 60_000);
  },
);
