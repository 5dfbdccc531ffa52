/**
 * The `rate_limited` outcome in the SQLite and PostgreSQL journals (issue 12, rate limit): stored
 * and listed as any outcome (neither schema constrains the column's values), counted by the
 * chart's query, and — as it fired nothing — no holder of its delivery id (PostgreSQL decides
 * that in SQL).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import request from "supertest";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/concurrency/token-bucket.js";
import { createPostgresJournal } from "../../src/store/postgres/postgres-journal.js";
import { createSqliteJournal } from "../../src/store/sqlite/sqlite-journal.js";
import type { Journal } from "../../src/store/types.js";
import { signGithub } from "../support/fixtures.js";
import { createTestApp, writeConfigDir, type TestApp } from "../support/test-app.js";

function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const PG_URL =
  process.env.HOOKLINE_TEST_POSTGRES_URL ??
  (process.env.CI !== undefined || (await answers("127.0.0.1", 5432, 500))
    ? "postgres://postgres@127.0.0.1:5432/test"
    : undefined);

const dir = mkdtempSync(join(tmpdir(), "hookline-rate-limit-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (PG_URL === undefined || schemas.length === 0) return;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  try {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await admin.end();
  }
});

const stores: { name: string; skip: boolean; open: () => Promise<Journal> }[] = [
  {
    name: "sqlite",
    skip: false,
    open: () => Promise.resolve(createSqliteJournal({ path: join(dir, "journal.db") })),
  },
  {
    name: "postgres",
    skip: PG_URL === undefined,
    open: () => {
      const schema = `hookline_test_${randomBytes(6).toString("hex")}`;
      schemas.push(schema);
      return createPostgresJournal({ url: PG_URL ?? "", schema, poolSize: 4 });
    },
  },
];

const SECRET = "rate-limit-journal-secret";
const CONFIG = `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: el, namespace: ci }
spec:
  triggers: [{ triggerRef: build }]
---
apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: build
  namespace: ci
  annotations: { hookline.dev/rate-limit: "2/h" }
spec:
  interceptors:
    - ref: { name: github }
      params:
        - { name: secretRef, value: { secretName: gh, secretKey: token } }
  template: { ref: tt }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt, namespace: ci }
spec:
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { generateName: e- } }
---
apiVersion: v1
kind: Secret
metadata: { name: gh, namespace: ci }
stringData: { token: ${SECRET} }
`;

describe.each(stores)("rate_limited in the $name journal", ({ skip, open }) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it.skipIf(skip)("is stored, listed, counted, and holds no delivery id", async () => {
    let now = Date.parse("2026-12-03T12:00:00Z");
    const started = await createTestApp(await writeConfigDir({ "el.yaml": CONFIG }), {
      journal: await open(),
      rateLimiter: createRateLimiter(() => now),
    });
    app = started;
    const push = async (deliveryId: string): Promise<{ status: number; outcome: string }> => {
      const body = JSON.stringify({ ref: "refs/heads/main" });
      const res = await request(started.server)
        .post("/listeners/ci/el")
        .set("Content-Type", "application/json")
        .set("X-GitHub-Event", "push")
        .set("X-GitHub-Delivery", deliveryId)
        .set("X-Hub-Signature-256", await signGithub(body, SECRET))
        .send(body);
      return { status: res.status, outcome: (res.body as { outcome: string }).outcome };
    };
    const outcomes = [];
    for (const id of ["a", "b", "c", "d", "e"]) outcomes.push((await push(id)).outcome);
    expect(outcomes).toEqual(["fired", "fired", "rate_limited", "rate_limited", "rate_limited"]);

    const page = await app.journal.listEvents({ outcome: "rate_limited", limit: 50 });
    expect(page.events).toHaveLength(3);
    expect(page.events[0]?.triggers).toEqual([{ trigger: "build", outcome: "rateLimited" }]);
    const stored = await app.journal.getEvent(page.events[0]?.id ?? "");
    expect(stored?.traces[0]?.outcome).toEqual({
      kind: "rateLimited",
      limit: "2/h",
      scope: "trigger",
    });
    const since = new Date(Date.now() - 3_600_000);
    const counts = await app.journal.countEvents({ since, bucketMs: 3_600_000, buckets: 2 });
    expect(counts.reduce((n, b) => n + b.counts.rate_limited, 0)).toBe(3);
    expect(await app.journal.findDeliveryIdOwner("ci/el", "c")).toEqual(
      expect.objectContaining({ blocksRedelivery: false }),
    );

    // Half an hour refills one token: the redelivery of "c" fires, not a duplicate.
    now += 1_800_000;
    expect(await push("c")).toEqual({ status: 202, outcome: "fired" });
    expect((await push("c")).status).toBe(200);
  });
});
