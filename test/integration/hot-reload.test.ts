import { randomUUID } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_MAX_BODY, serve, type Running, type ServeOptions } from "../../src/main.js";
import { createCapturingLogger, type MemoryTransport } from "../support/capture-logs.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, ROOT, signGithub } from "../support/fixtures.js";

const PUSH = await readFile(join(ROOT, "examples", "payloads", "github-push.json"));
const EVENT_ID_LABEL = "triggers.tekton.dev/triggers-eventid";
const PART_OF = "app.kubernetes.io/part-of: hookline-example";

interface Served {
  running: Running;
  configDir: string;
  outDir: string;
  logs: MemoryTransport;
}

let served: Served | undefined;

afterEach(async () => {
  if (served === undefined) return;
  await served.running.close();
  await rm(served.configDir, { recursive: true, force: true });
  await rm(served.outDir, { recursive: true, force: true });
  served = undefined;
});

/** The real `serve()` on port 0, on a copy of examples/config, with an in-memory journal. */
async function start(options: Partial<ServeOptions> = {}): Promise<Served> {
  let configDir = options.configDir;
  if (configDir === undefined) {
    configDir = await mkdtemp(join(tmpdir(), "hookline-reload-config-"));
    await cp(EXAMPLE_CONFIG, configDir, { recursive: true });
  }
  const outDir = await mkdtemp(join(tmpdir(), "hookline-reload-out-"));
  const { log, logs } = createCapturingLogger();
  const running = await serve({
    store: "memory",
    adminAddr: "127.0.0.1:0",
    port: 0,
    host: "127.0.0.1",
    outDir,
    secretsDir: undefined,
    maxBodyBytes: DEFAULT_MAX_BODY,
    defaultListener: undefined,
    log,
    tls: {},
    ...options,
    configDir,
  });
  served = { running, configDir, outDir, logs };
  return served;
}

async function push(s: Served, secret = EXAMPLE_SECRET): Promise<{ status: number; id: string }> {
  const res = await fetch(`http://127.0.0.1:${s.running.port}/`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": await signGithub(PUSH, secret),
    },
    body: PUSH,
  });
  const body = (await res.json()) as { eventID?: string };
  return { status: res.status, id: body.eventID ?? "" };
}

/** The labels of the resource the local sink wrote for an event (waits for the delivery). */
async function labelsOf(s: Served, eventId: string): Promise<Record<string, string>> {
  let found: Record<string, string> | undefined;
  await waitFor(async () => {
    for (const file of await yamlFiles(s.outDir)) {
      const resource = parse(await readFile(file, "utf8")) as {
        metadata?: { labels?: Record<string, string> };
      };
      const labels = resource.metadata?.labels ?? {};
      if (labels[EVENT_ID_LABEL] === eventId) found = labels;
    }
    return found !== undefined;
  }, `a resource for event ${eventId}`);
  return found ?? {};
}

/** The outcome of the github-push trigger for an event, from the admin port's event log. */
async function githubOutcome(s: Served, event: { status: number; id: string }): Promise<string> {
  expect(event.status).toBeLessThan(500);
  const res = await fetch(`http://127.0.0.1:${s.running.adminPort}/api/v1/events/${event.id}`);
  const view = (await res.json()) as { triggers: { trigger: string; outcome: { kind: string } }[] };
  const trace = view.triggers.find((t) => t.trigger === "github-push");
  return trace?.outcome.kind ?? "none";
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".yaml"))
    .map((e) => join(e.parentPath, e.name));
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until `message` has been logged `count` times in all. */
function logged(s: Served, message: string, count = 1): Promise<void> {
  return waitFor(
    () => s.logs.entries.filter((e) => e["message"] === message).length >= count,
    `${count}× "${message}" in the log`,
  );
}

async function editTemplate(s: Served, edit: (text: string) => string): Promise<void> {
  const file = join(s.configDir, "triggertemplate.yaml");
  await writeFile(file, edit(await readFile(file, "utf8")));
}

async function reloadsCounted(s: Served): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${s.running.adminPort}/metrics`);
  return (await res.text())
    .split("\n")
    .filter((l) => l.startsWith("hookline_config_reloads_total"))
    .join("\n");
}

describe("hot reload of the config directory", () => {
  it("applies a good change, keeps the last good config over a broken one, then takes the fix", async () => {
    const s = await start();
    const first = await push(s);
    expect(first.status).toBe(202);
    expect(await labelsOf(s, first.id)).not.toHaveProperty("hookline.dev/reloaded");

    // A new label in the template: the next event's resource has it, without a restart.
    await editTemplate(s, (t) =>
      t.replace(PART_OF, `${PART_OF}\n          hookline.dev/reloaded: "1"`),
    );
    await logged(s, "config reloaded");
    const second = await push(s);
    expect(second.status).toBe(202);
    expect((await labelsOf(s, second.id))["hookline.dev/reloaded"]).toBe("1");

    // A broken change: reported with file:line:column, and the last good config stays in force.
    await editTemplate(s, (t) =>
      t.replace('hookline.dev/reloaded: "1"', 'hookline.dev/reloaded: "2"\n  bogusField: [1'),
    );
    await logged(s, "config reload refused; the last good config stays in force");
    const errors = s.logs.entries.filter((e) => e["message"] === "config error");
    expect(errors.length).toBeGreaterThan(0);
    expect(String(errors[0]?.["issue"])).toMatch(/triggertemplate\.yaml:\d+:\d+/);
    expect(errors[0]?.["level"]).toBe("error");
    const third = await push(s);
    expect(third.status).toBe(202);
    expect((await labelsOf(s, third.id))["hookline.dev/reloaded"]).toBe("1");

    // Fixed: picked up.
    await editTemplate(s, (t) => t.replace("\n  bogusField: [1", ""));
    await logged(s, "config reloaded", 2);
    const fourth = await push(s);
    expect((await labelsOf(s, fourth.id))["hookline.dev/reloaded"]).toBe("2");
    expect(s.running.config.issues.filter((i) => i.severity === "error")).toEqual([]);

    const metrics = await reloadsCounted(s);
    expect(metrics).toMatch(/hookline_config_reloads_total\{result="success"\} 2/);
    expect(metrics).toMatch(/hookline_config_reloads_total\{result="failure"\} [1-9]/);
  });

  it("reloads on SIGHUP, and a reload swaps the config's Secrets with it", async () => {
    const s = await start({ watchConfig: false });
    const fired = await githubOutcome(s, await push(s));

    const secretFile = join(s.configDir, "secret.yaml");
    const text = await readFile(secretFile, "utf8");
    await writeFile(secretFile, text.replace(EXAMPLE_SECRET, "rotated-secret"));
    // Not watching: nothing changes until the signal.
    await new Promise((r) => setTimeout(r, 400));
    expect(s.logs.entries.some((e) => e["message"] === "config reloaded")).toBe(false);
    expect(await githubOutcome(s, await push(s))).toBe(fired);

    process.emit("SIGHUP", "SIGHUP");
    await logged(s, "config reloaded");
    const reloaded = s.logs.entries.find((e) => e["message"] === "config reloaded");
    expect(reloaded?.["reason"]).toBe("SIGHUP");
    expect(await githubOutcome(s, await push(s))).not.toBe(fired);
    expect(await githubOutcome(s, await push(s, "rotated-secret"))).toBe(fired);
    expect(s.logs.text()).not.toContain("rotated-secret");
  });

  it("replays a stored event through the config in force now", async () => {
    const s = await start({ watchConfig: false });
    const original = await push(s);
    expect(await labelsOf(s, original.id)).not.toHaveProperty("hookline.dev/reloaded");

    await editTemplate(s, (t) =>
      t.replace(PART_OF, `${PART_OF}\n          hookline.dev/reloaded: "r"`),
    );
    expect(await s.running.reload()).toBe(true);

    const res = await fetch(
      `http://127.0.0.1:${s.running.adminPort}/api/v1/events/${original.id}/replay`,
      { method: "POST", headers: { "Content-Type": "application/json" } },
    );
    expect(res.status).toBe(202);
    const replay = (await res.json()) as { eventID: string };
    expect((await labelsOf(s, replay.eventID))["hookline.dev/reloaded"]).toBe("r");
  });
});

describe("hot reload from a mounted ConfigMap", () => {
  it("sees the kubelet's atomic swap of the ..data link", async () => {
    // The layout of a ConfigMap volume: files are links through `..data` to a timestamped
    // directory, and an update renames a new `..data` link over the old one.
    const configDir = await mkdtemp(join(tmpdir(), "hookline-reload-configmap-"));
    const names = await readdir(EXAMPLE_CONFIG);
    await cp(EXAMPLE_CONFIG, join(configDir, "..v1"), { recursive: true });
    await symlink("..v1", join(configDir, "..data"));
    for (const name of names) await symlink(join("..data", name), join(configDir, name));
    const s = await start({ configDir });

    await cp(join(configDir, "..v1"), join(configDir, "..v2"), { recursive: true });
    const template = join(configDir, "..v2", "triggertemplate.yaml");
    const text = await readFile(template, "utf8");
    await writeFile(
      template,
      text.replace(PART_OF, `${PART_OF}\n          hookline.dev/reloaded: "cm"`),
    );
    await symlink("..v2", join(configDir, "..data_tmp"));
    await rename(join(configDir, "..data_tmp"), join(configDir, "..data"));
    await rm(join(configDir, "..v1"), { recursive: true });

    await logged(s, "config reloaded");
    const event = await push(s);
    expect((await labelsOf(s, event.id))["hookline.dev/reloaded"]).toBe("cm");
  });
});
