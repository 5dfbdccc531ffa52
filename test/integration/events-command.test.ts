import { createHmac } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { createRuntime, type Running } from "../../src/runtime/create-runtime.js";
import { parseSettings } from "../../src/settings/parse-settings.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { fakeIo } from "../support/fake-io.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, ROOT } from "../support/fixtures.js";

/**
 * `hookline events` against a running server's admin port: the list with its filters, and one
 * event's decision trace, as text (colour only on a terminal) and as the API's JSON.
 */
let dir: string;
let running: Running;
let fired: string;
let filtered: string;
let admin: string;

async function post(event: string, body: Buffer): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${running.port}/listeners/default/github-listener`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-hub-signature-256": `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  return ((await res.json()) as { eventID: string }).eventID;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-events-"));
  running = await createRuntime(
    parseSettings(
      [
        ...["--config", EXAMPLE_CONFIG, "--store", "memory", "--out", dir],
        ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
      ],
      {},
    ),
    { log: createCapturingLogger().log },
  );
  admin = `127.0.0.1:${running.adminPort}`;
  const push = await readFile(join(ROOT, "examples", "payloads", "github-push.json"));
  fired = await post("push", push);
  filtered = await post("ping", Buffer.from('{"zen":"hi"}'));
});
afterAll(async () => {
  await running.close();
  await rm(dir, { recursive: true, force: true });
});

async function events(args: string[], env: Record<string, string> = {}, tty = false) {
  const io = fakeIo(env, { tty });
  const code = await main(["events", "--admin", admin, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe("hookline events (through the admin API)", () => {
  it("lists the newest events first with outcome, listener, provider and triggers", async () => {
    const { code, out } = await events([]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^RECEIVED\s+OUTCOME\s+STATUS\s+LISTENER\s+PROVIDER\s+ID\s+TRIGGERS$/);
    expect(lines[1]).toMatch(
      new RegExp(`filtered\\s+202\\s+default/github-listener\\s+github\\s+${filtered}`),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `fired\\s+202\\s+default/github-listener\\s+github\\s+${fired}\\s+github-push:fired`,
      ),
    );
    expect(out).not.toContain("\u001b[");
  });

  it("filters by outcome, listener and --since", async () => {
    const only = await events([
      "--outcome",
      "fired",
      "--listener",
      "default/github-listener",
      "--since",
      "1h",
    ]);
    expect(only.out).toContain(fired);
    expect(only.out).not.toContain(filtered);
    const future = await events(["--since", "2999-01-01T00:00:00Z"]);
    expect(future.out).toBe("");
    expect(future.err).toContain("no event matches");
    // No run of these events is in a concurrency group (the API's filter: test/integration/admin).
    const group = await events(["--group", "acme/web#42"]);
    expect([group.code, group.out]).toEqual([0, ""]);
    expect(group.err).toContain("no event matches");
  });

  it("shows one event's decision trace: interceptors, params, resources", async () => {
    const { code, out } = await events(["show", fired]);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^event ${fired}  fired  HTTP 202\\n`));
    expect(out).toContain("trigger github-push  fired");
    expect(out).toMatch(/✓ github \(authenticated\)/);
    expect(out).toMatch(/→ PipelineRun default\//);
    const why = await events(["show", filtered]);
    // A ping is for none of the triggers: they fold into a summary, each with what it saw.
    expect(why.out).toMatch(/\n4 triggers did not apply: [^\n]+\n/);
    expect(why.out).toMatch(/\n {2}github-push: event type ping; this trigger listens to push\n/);
    expect(why.out).not.toContain("trigger github-push");
  });

  it("colours on a terminal, not with NO_COLOR; --output json is the API's answer", async () => {
    expect((await events(["show", fired], {}, true)).out).toContain("\u001b[32mfired");
    expect((await events(["show", fired], { NO_COLOR: "1" }, true)).out).not.toContain("\u001b[");
    const json = JSON.parse((await events(["show", fired, "--output", "json"])).out) as {
      id: string;
      triggers: unknown[];
    };
    expect(json.id).toBe(fired);
    expect(json.triggers.length).toBeGreaterThan(0);
  });

  it("says what is wrong: an unknown event, a bad outcome, --since, nothing on the port", async () => {
    const missing = await events(["show", "no-such-event"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("HL_EVENT_NOT_FOUND");
    const outcome = await events(["--outcome", "fried"]);
    expect(outcome.code).toBe(1);
    expect(outcome.err).toContain("outcome must be one of");
    expect((await events(["--since", "yesterday"])).code).toBe(2);
    const io = fakeIo();
    expect(await main(["events", "--admin", "127.0.0.1:1"], io)).toBe(1);
    expect(io.err()).toContain("nothing answers on http://127.0.0.1:1");
  });
});
