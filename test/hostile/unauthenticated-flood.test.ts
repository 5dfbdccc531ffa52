import { request as httpRequest, Agent } from "node:http";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import { signGithub } from "../support/fixtures.js";
import { createTestApp, writeConfigDir, type TestApp } from "../support/test-app.js";

/**
 * Issue 11: a sender without the secret must cost hookline almost nothing. 40 bodies of 20 MB
 * with a wrong signature, four at a time, against a real listener journaling to a SQLite file:
 * the journal grows by metadata rows only, and signed deliveries sent during the flood all get
 * their 2xx. (How fast they are answered is `npm run bench`'s hostile row, not asserted here.)
 */

const SECRET = "flood-test-secret";
const MB = 1024 * 1024;
const FLOOD = 40;
const FLOOD_BYTES = 20 * MB;
const IN_FLIGHT = 4;

const CONFIG = {
  "secret.yaml": `apiVersion: v1
kind: Secret
metadata: { name: github-secret }
stringData: { secretToken: ${SECRET} }
`,
  "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: flood }
spec:
  triggers:
    - name: github-push
      interceptors:
        - ref: { name: github }
          params:
            - name: secretRef
              value: { secretName: github-secret, secretKey: secretToken }
            - name: eventTypes
              value: ["push"]
        - ref: { name: cel }
          params:
            - name: filter
              value: "body.ref.startsWith('refs/heads/')"
      bindings:
        - { name: ref, value: $(body.ref) }
      template:
        spec:
          params: [{ name: ref }]
          resourcetemplates:
            - apiVersion: v1
              kind: ConfigMap
              metadata: { generateName: pushed- }
              data: { ref: $(tt.params.ref) }
`,
};

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

describe("a flood of unauthenticated 20 MB bodies", () => {
  let dir: string;
  let store: string;
  let app: TestApp;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT + 2 });

  const post = (body: Buffer, headers: Record<string, string>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/",
          agent,
          headers: {
            "Content-Type": "application/json",
            "X-GitHub-Event": "push",
            "Content-Length": String(body.length),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Reply["body"] });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  const signed = async (ref: string): Promise<Reply> => {
    const body = Buffer.from(JSON.stringify({ ref, after: "0123456789abcdef" }));
    return post(body, { "X-Hub-Signature-256": await signGithub(body, SECRET) });
  };

  /**
   * The journal's bytes on disk, once its write-ahead log is folded into the database file (the
   * log's own size follows how often SQLite checkpoints, not what was stored).
   */
  const journalBytes = (): number => {
    const db = new Database(store);
    try {
      db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
    return [store, `${store}-wal`]
      .filter((f) => existsSync(f))
      .reduce((sum, f) => sum + statSync(f).size, 0);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hookline-hostile-"));
    store = join(dir, "journal.db");
    app = await createTestApp(await writeConfigDir(CONFIG), {
      journal: createSqliteJournal({ path: store }),
      // Every body must reach the gate here; the body budget's own 503s are body-budget.test.ts's.
      bodyBudgetBytes: 256 * 1024 * 1024,
    });
    await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agent.destroy();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers a wrong signature over a body that is not JSON with the 401, not the 400 a parse would give", async () => {
    const res = await post(Buffer.from('{"a": [1, 2'), {
      "X-Hub-Signature-256": `sha256=${"0".repeat(64)}`,
    });
    expect(res.status).toBe(401);
    expect(res.body["code"]).toBe("HL_LISTENER_UNAUTHENTICATED");
    const stored = await app.journal.getEvent(String(res.body["eventID"]));
    expect(stored?.body.kind).toBe("not-kept");
  });

  it("keeps the whole body of an authenticated event that was filtered", async () => {
    const res = await signed("refs/tags/v1");
    expect(res.status).toBe(202);
    const stored = await app.journal.getEvent(String(res.body["eventID"]));
    expect(stored?.outcome).toBe("filtered");
    expect(stored?.body.kind).toBe("kept");
  });

  it("grows the journal by less than 1 MB, and every signed delivery during it gets its 2xx", async () => {
    // A first signed event: the journal file exists and holds its schema before the flood.
    expect((await signed("refs/heads/main")).status).toBe(202);
    const before = journalBytes();

    // A JSON object of 20 MB, so that a body kept would be 20 MB of the journal.
    const big = Buffer.alloc(FLOOD_BYTES, 0x61);
    big.write('{"a":"', 0);
    big.write('"}', FLOOD_BYTES - 2);
    const wrong = { "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` };

    const floodStatuses: number[] = [];
    const signedReplies: Promise<Reply>[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < FLOOD) {
        const i = next++;
        // One signed push beside every fourth flood request, while the others are in flight.
        if (i % 4 === 0) signedReplies.push(signed(`refs/heads/during-${i}`));
        floodStatuses.push((await post(big, wrong)).status);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    const signedStatuses = (await Promise.all(signedReplies)).map((r) => r.status);
    await app.worker.drain();

    expect(floodStatuses).toEqual(Array.from({ length: FLOOD }, () => 401));
    expect(signedStatuses).toHaveLength(FLOOD / 4);
    expect(signedStatuses.every((s) => s >= 200 && s < 300)).toBe(true);
    const grown = journalBytes() - before;
    console.info(`journal growth under the flood: ${grown} bytes`);
    expect(grown).toBeLessThan(1 * MB);
    // Every signed push to a branch fired: its resource was written.
    expect(await app.written()).toHaveLength(1 + FLOOD / 4);
  }, 180_000);
});
