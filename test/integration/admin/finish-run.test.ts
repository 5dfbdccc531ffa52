import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import request from "supertest";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminApp } from "../../../src/admin/create-admin-app.js";
import { createMetrics } from "../../../src/admin/metrics.js";
import {
  LABEL_GROUP_HASH,
  LABEL_GROUP_ORDER,
  type GroupAddress,
} from "../../../src/concurrency/types.js";
import { createLogger } from "../../../src/log/logger.js";
import { createLocalGroupRunStore } from "../../../src/sinks/local/local-group-runs.js";
import { createLocalSink } from "../../../src/sinks/local/local-sink.js";
import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import { checkingAnswers } from "../../support/capture-answers.js";

const HASH = "0123456789abcdef0123456789abcdef01234567";
const log = createLogger({ silent: true });

describe("POST /api/v1/runs/{namespace}/{kind}/{name}/finish", () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), "hookline-finish-"));
  });
  afterEach(async () => rm(out, { recursive: true, force: true }));

  const admin = (local: boolean, token?: string) => {
    const store = createLocalGroupRunStore({ outDir: out });
    const journal = createMemoryJournal();
    const app = createAdminApp({
      journal,
      metrics: createMetrics(journal),
      log,
      token,
      replay: () => Promise.reject(new Error("no replays here")),
      finishRun: local ? (target, reason) => store.finish(target, reason) : undefined,
    });
    const checked = express();
    checked.use((req, res, next) => checkingAnswers("admin", () => next())(req, res));
    checked.use(app);
    return { app: checked, store };
  };

  const writeRun = async (store: ReturnType<typeof createLocalGroupRunStore>) => {
    const sink = createLocalSink({ outDir: out, groupRuns: store });
    await sink.create(
      {
        apiVersion: "tekton.dev/v1",
        kind: "PipelineRun",
        namespace: "ci",
        name: "deploy-1",
        generateName: undefined,
        body: {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          metadata: {
            name: "deploy-1",
            namespace: "ci",
            labels: { [LABEL_GROUP_HASH]: HASH, [LABEL_GROUP_ORDER]: "0000000001000.ev.0.0" },
          },
          spec: {},
        },
      },
      { serviceAccountName: undefined, log },
    );
  };

  it("writes the status file, tells the watchers, and is idempotent", async () => {
    const { app, store } = admin(true);
    await writeRun(store);
    const seen: GroupAddress[] = [];
    store.watch((g) => seen.push(g));
    await new Promise((resolve) => setImmediate(resolve));
    seen.length = 0;
    const res = await request(app)
      .post("/api/v1/runs/ci/PipelineRun/deploy-1/finish")
      .set("content-type", "application/json")
      .send({ reason: "Failed" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "deploy-1", reason: "Failed", alreadyFinished: false });
    const status = parse(
      await readFile(join(out, "ci/PipelineRun/deploy-1.status.yaml"), "utf8"),
    ) as {
      status: { conditions: { status: string }[] };
    };
    expect(status.status.conditions[0]?.status).toBe("False");
    expect(seen.map((g) => g.groupHash)).toEqual([HASH]);
    const again = await request(app)
      .post("/api/v1/runs/ci/PipelineRun/deploy-1/finish")
      .set("content-type", "application/json")
      .send({});
    expect(again.status).toBe(200);
    expect((again.body as { alreadyFinished: boolean }).alreadyFinished).toBe(true);
  });

  it("refuses a run not there (404), a bad reason (400), a form post (415), no token (401)", async () => {
    const { app } = admin(true);
    const missing = await request(app)
      .post("/api/v1/runs/ci/PipelineRun/nope/finish")
      .set("content-type", "application/json")
      .send({});
    expect(missing.status).toBe(404);
    expect((missing.body as { error: { code: string } }).error.code).toBe("HL_RUN_NOT_FOUND");
    const bad = await request(app)
      .post("/api/v1/runs/ci/PipelineRun/nope/finish")
      .set("content-type", "application/json")
      .send({ reason: "Maybe" });
    expect((bad.body as { error: { code: string } }).error.code).toBe("HL_ADMIN_BAD_REQUEST");
    const form = await request(app)
      .post("/api/v1/runs/ci/PipelineRun/nope/finish")
      .type("form")
      .send("reason=Succeeded");
    expect(form.status).toBe(415);
    const guarded = admin(true, "s3cret-token").app;
    const unauth = await request(guarded)
      .post("/api/v1/runs/ci/PipelineRun/nope/finish")
      .set("content-type", "application/json")
      .send({});
    expect(unauth.status).toBe(401);
  });

  it("is refused with the Kubernetes sink", async () => {
    const res = await request(admin(false).app)
      .post("/api/v1/runs/ci/PipelineRun/deploy-1/finish")
      .set("content-type", "application/json")
      .send({});
    expect(res.status).toBe(400);
    expect((res.body as { error: { code: string } }).error.code).toBe("HL_ADMIN_BAD_REQUEST");
  });
});
