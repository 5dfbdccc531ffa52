import { createServer, type Server } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/create-runtime.js";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import { parseSettings } from "../../src/settings/parse-settings.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import { EXAMPLE_CONFIG } from "../support/fixtures.js";
import { firedTrace, makeEvent, plannedRun, resource } from "../unit/store/journal-contract.js";

/** A port nobody listens on now (taken by a server, then freed). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  await new Promise((resolve) => s.close(resolve));
  return typeof address === "object" && address !== null ? address.port : 0;
}

function listenOn(port: number): Promise<Server> {
  const s = createServer();
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-runtime-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("createRuntime", () => {
  it("closes what it built when the listener port is taken, and nothing stays bound", async () => {
    const adminPort = await freePort();
    const blocker = await listenOn(0);
    const address = blocker.address();
    const taken = typeof address === "object" && address !== null ? address.port : 0;
    const hangups = process.listenerCount("SIGHUP");
    const settings = parseSettings(
      [
        ...["--config", EXAMPLE_CONFIG, "--store", "memory", "--out", dir],
        ...["--host", "127.0.0.1", "--port", String(taken), "--admin", `127.0.0.1:${adminPort}`],
      ],
      {},
    );
    try {
      await expect(createRuntime(settings, { log: createCapturingLogger().log })).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      blocker.close();
    }
    // The admin port had been bound: it is free again, and no SIGHUP handler was left behind.
    const again = await listenOn(adminPort);
    again.close();
    expect(process.listenerCount("SIGHUP")).toBe(hangups);
  });

  it("decides the admin port's loopback on the resolved address: localhost needs no token, 0.0.0.0 does", async () => {
    const args = (admin: string): string[] => [
      ...["--config", EXAMPLE_CONFIG, "--store", "memory", "--out", dir],
      ...["--host", "127.0.0.1", "--port", "0", "--admin", admin],
    ];
    const local = await createRuntime(parseSettings(args("localhost:0"), {}), {
      log: createCapturingLogger().log,
    });
    await local.close();
    await expect(
      createRuntime(parseSettings(args("0.0.0.0:0"), {}), { log: createCapturingLogger().log }),
    ).rejects.toThrow(/not on loopback: set HOOKLINE_ADMIN_TOKEN/);
  });

  it("refuses a HOOKLINE_LISTENER that names no listener, listing those there are with a did-you-mean", async () => {
    const settings = parseSettings(
      [
        ...["--config", EXAMPLE_CONFIG, "--store", "memory", "--out", dir],
        ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
      ],
      { HOOKLINE_LISTENER: "default/github-listner" },
    );
    const hangups = process.listenerCount("SIGHUP");
    await expect(createRuntime(settings, { log: createCapturingLogger().log })).rejects.toThrow(
      'HOOKLINE_LISTENER "default/github-listner" names no EventListener; did you mean "default/github-listener"? (the config\'s EventListener is default/github-listener)',
    );
    expect(process.listenerCount("SIGHUP")).toBe(hangups);
    // A name without its namespace is found in any namespace, as routing finds it.
    const named = await createRuntime(
      parseSettings(
        [
          ...["--config", EXAMPLE_CONFIG, "--store", "memory", "--out", dir],
          ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
        ],
        { HOOKLINE_LISTENER: "github-listener" },
      ),
      { log: createCapturingLogger().log },
    );
    await named.close();
  });

  it("starts from parsed settings, logs where it listens, and closes in full", async () => {
    const { log, logs } = createCapturingLogger();
    const hangups = process.listenerCount("SIGHUP");
    const running = await createRuntime(
      parseSettings(
        [
          ...["--config", EXAMPLE_CONFIG, "--store", "memory", "--out", dir],
          ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
        ],
        {},
      ),
      { log },
    );
    expect(running.port).toBeGreaterThan(0);
    expect(logs.text()).toContain('"message":"listening"');
    // The URL to paste into the provider's webhook settings, with the port actually bound.
    expect(logs.text()).toContain(`http://127.0.0.1:${running.port}/listeners/`);
    expect(process.listenerCount("SIGHUP")).toBe(hangups + 1);
    await running.close();
    expect(process.listenerCount("SIGHUP")).toBe(hangups);
    const again = await listenOn(running.adminPort);
    again.close();
  });

  it("a listener port already in use is refused naming the port, the flag and the variable", async () => {
    const taken = await listenOn(0);
    const address = taken.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const { log } = createCapturingLogger();
    try {
      await expect(
        createRuntime(
          parseSettings(
            [
              ...["--config", EXAMPLE_CONFIG, "--store", "memory", "--out", dir],
              ...["--host", "127.0.0.1", "--port", String(port), "--admin", "127.0.0.1:0"],
            ],
            {},
          ),
          { log },
        ),
      ).rejects.toThrow(
        `127.0.0.1:${port} is already in use (EADDRINUSE): another process listens there; stop it or choose another port for the listener port (--port / PORT)`,
      );
    } finally {
      taken.close();
    }
  });

  it("refuses a second runtime on the same SQLite journal, naming the first's pid, until it closes", async () => {
    const store = join(dir, "locked", "hookline.db");
    const args = [
      ...["--config", EXAMPLE_CONFIG, "--store", store, "--out", dir],
      ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
    ];
    const first = await createRuntime(parseSettings(args, {}), {
      log: createCapturingLogger().log,
    });
    try {
      await expect(
        createRuntime(parseSettings(args, {}), { log: createCapturingLogger().log }),
      ).rejects.toThrow(
        `the journal ${store} is in use by another hookline serve (pid ${process.pid}; lock file ${store}.lock)`,
      );
    } finally {
      await first.close();
    }
    const second = await createRuntime(parseSettings(args, {}), {
      log: createCapturingLogger().log,
    });
    await second.close();
  });

  it("voids the claims a crashed server left in its SQLite journal when it takes the lock", async () => {
    const store = join(dir, "crashed", "hookline.db");
    // The crashed server: it claimed a run (60 s lease) and never saved it, nor left a lock.
    const crashed = createSqliteJournal({ path: store });
    const event = makeEvent({ outcome: "fired", traces: [firedTrace("t", [resource("r")])] });
    await crashed.record(event, [plannedRun(event, 0, [resource("r")])]);
    const [claimed] = await crashed.claimDueRuns(new Date(), 10, 60_000);
    if (claimed === undefined) throw new Error("nothing was claimed");
    const running = await createRuntime(
      parseSettings(
        [
          ...["--config", EXAMPLE_CONFIG, "--store", store, "--out", join(dir, "crashed-out")],
          ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
        ],
        {},
      ),
      { log: createCapturingLogger().log },
    );
    try {
      // Voided: the run is the new server's to deliver, and the old claim cannot be saved under.
      expect(await crashed.saveRun({ ...claimed, state: "delivered" })).toEqual({
        kind: "claim-lost",
      });
    } finally {
      await running.close();
      await crashed.close();
    }
  });

  it("writes the start-up banner for a person to io.banner: where to point each provider", async () => {
    const banners: string[] = [];
    const running = await createRuntime(
      parseSettings(
        [
          ...["--config", EXAMPLE_CONFIG, "--store", "memory", "--out", dir],
          ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
        ],
        {},
      ),
      { log: createCapturingLogger().log, banner: (text) => banners.push(text) },
    );
    await running.close();
    const url = `http://127.0.0.1:${running.port}/listeners/default/github-listener`;
    expect(banners).toEqual([
      [
        `hookline is listening on http://127.0.0.1:${running.port}`,
        `  Point GitHub at ${url} (push)`,
        `  Point GitLab at ${url} (Push Hook, Merge Request Hook)`,
        `  Point Bitbucket at ${url} (repo:push)`,
        `  Events, traces and deliveries: http://127.0.0.1:${running.adminPort}/ui/`,
        "",
      ].join("\n"),
    ]);
  });
});
