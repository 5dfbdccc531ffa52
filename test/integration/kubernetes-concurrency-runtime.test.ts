import { createHash, createHmac, randomUUID } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LABEL_GROUP_HASH, LABEL_GROUP_ORDER } from "../../src/concurrency/types.js";
import { createRuntime, type Running } from "../../src/runtime/create-runtime.js";
import { parseSettings } from "../../src/settings/parse-settings.js";
import { createCapturingLogger } from "../support/capture-logs.js";
import {
  createFakeKubeApiServer,
  type FakeKubeApiServer,
  type StoredObject,
} from "../support/fake-kube-apiserver.js";
import { EXAMPLE_CONFIG, EXAMPLE_SECRET, ROOT, githubFixture } from "../support/fixtures.js";

/**
 * Issue 12 in the cluster, through the real runtime (`createRuntime` with `--sink kubernetes`):
 * listener, planner, journal, worker, the Kubernetes sink and the group scheduler with its
 * watch, against the fake API server playing Tekton's controller. examples/concurrency, with
 * max-keep-runs 2 for the deploy group.
 */
const NS = "ci";
const WAIT = { timeout: 15_000, interval: 20 };
const hashOf = (key: string): string => createHash("sha256").update(key).digest("hex").slice(0, 40);
const REPO = "Codertocat/Hello-World";

let fake: FakeKubeApiServer;
let dir: string;
let running: Running;

function sign(body: Buffer): string {
  return `sha256=${createHmac("sha256", EXAMPLE_SECRET).update(body).digest("hex")}`;
}

async function post(port: number, event: string, body: Buffer): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/listeners/ci/ci-listener`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": sign(body),
    },
    body,
  });
  expect(res.status).toBe(202);
  const answer = (await res.json()) as { eventID: string };
  return answer.eventID;
}

/** A new commit pushed to pull request `pr` (examples/concurrency's pull-request trigger). */
function pullRequest(port: number, pr: number, sha: string): Promise<string> {
  const body = JSON.parse(githubFixture("pull_request.opened").toString("utf8")) as {
    action: string;
    number: number;
    pull_request: { head: { sha: string } };
  };
  body.action = "synchronize";
  body.number = pr;
  body.pull_request.head.sha = sha;
  return post(port, "pull_request", Buffer.from(JSON.stringify(body)));
}

/** A push to the default branch (the deploy trigger: queue, max-running 1). */
async function deployPush(port: number, sha: string): Promise<string> {
  const raw = await readFile(join(ROOT, "examples", "payloads", "github-push.json"), "utf8");
  const body = JSON.parse(raw) as { after: string };
  body.after = sha;
  return post(port, "push", Buffer.from(JSON.stringify(body)));
}

/** The group's PipelineRuns in the fake, oldest first (by order label). */
function groupRuns(key: string): StoredObject[] {
  const hash = hashOf(key);
  return fake
    .objects({ kind: "PipelineRun", namespace: NS })
    .filter((o) => o.metadata.labels?.[LABEL_GROUP_HASH] === hash)
    .sort((a, b) =>
      (a.metadata.labels?.[LABEL_GROUP_ORDER] ?? "") <
      (b.metadata.labels?.[LABEL_GROUP_ORDER] ?? "")
        ? -1
        : 1,
    );
}

const specStatus = (o: StoredObject | undefined): unknown =>
  (o as { spec?: { status?: unknown } } | undefined)?.spec?.status;
const revision = (o: StoredObject | undefined): unknown =>
  (o as { spec?: { params?: { name: string; value: unknown }[] } } | undefined)?.spec?.params?.find(
    (p) => p.name === "revision",
  )?.value;
const condition = (o: StoredObject | undefined): unknown =>
  (
    o as { status?: { conditions?: { type: string; reason: string }[] } } | undefined
  )?.status?.conditions?.find((c) => c.type === "Succeeded")?.reason;

function settingsFor(config: string, kubeconfig: string) {
  return parseSettings(
    [
      ...["--config", config, "--store", "memory", "--sink", "kubernetes"],
      ...["--host", "127.0.0.1", "--port", "0", "--admin", "127.0.0.1:0"],
    ],
    { KUBECONFIG: kubeconfig, HOOKLINE_KUBE_EVENTS: "off" },
  );
}

/** The runs' states of an event, from the admin API. */
async function runStates(eventId: string): Promise<(string | undefined)[]> {
  const res = await fetch(`http://127.0.0.1:${running.adminPort}/api/v1/events/${eventId}`);
  const view = (await res.json()) as { triggers: { delivery?: { state: string } | null }[] };
  return view.triggers.map((t) => t.delivery?.state).filter((s) => s !== undefined);
}

beforeAll(async () => {
  fake = await createFakeKubeApiServer({ tektonController: true });
  dir = await mkdtemp(join(tmpdir(), "hookline-kube-conc-"));
  const config = join(dir, "config");
  await cp(join(ROOT, "examples", "concurrency"), config, { recursive: true });
  const file = join(config, "eventlistener.yaml");
  const text = await readFile(file, "utf8");
  const kept = text.replace('hookline.dev/max-keep-runs: "5"', 'hookline.dev/max-keep-runs: "2"');
  expect(kept).not.toBe(text);
  await writeFile(file, kept);
  running = await createRuntime(settingsFor(config, fake.writeKubeconfig(dir)), {
    log: createCapturingLogger().log,
  });
});

afterAll(async () => {
  await running?.close();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("concurrency groups in the cluster, through the runtime", () => {
  it("cancel-in-progress: push B to the pull request cancels A's PipelineRun, then creates B's", async () => {
    const group = `${REPO}#7`;
    await pullRequest(running.port, 7, "a".repeat(40));
    await vi.waitFor(() => expect(condition(groupRuns(group)[0])).toBe("Running"), WAIT);
    await pullRequest(running.port, 7, "b".repeat(40));
    await vi.waitFor(() => expect(groupRuns(group)).toHaveLength(2), WAIT);
    const [a, b] = groupRuns(group);
    expect(revision(a)).toBe("a".repeat(40));
    expect(specStatus(a)).toBe("Cancelled");
    expect(condition(a)).toBe("Cancelled");
    expect(revision(b)).toBe("b".repeat(40));
    expect(specStatus(b)).toBeUndefined();
    expect(condition(b)).toBe("Running");
    // The cancel was a merge patch of A, sent before B was created.
    const patchAt = fake.requests.findIndex(
      (r) => r.method === "PATCH" && r.path.endsWith(`/pipelineruns/${a?.metadata.name}`),
    );
    const createAt = fake.requests.findIndex(
      (r, i) => i > patchAt && r.method === "POST" && r.path.endsWith("/pipelineruns"),
    );
    expect(fake.requests[patchAt]?.contentType).toBe("application/merge-patch+json");
    expect(patchAt).toBeGreaterThan(-1);
    expect(createAt).toBeGreaterThan(patchAt);
  });

  it("queue, max-running 1: the second is created Pending and started when the first finishes; max-keep-runs 2 deletes the oldest finished", async () => {
    const group = "deploy-staging";
    await deployPush(running.port, "1".repeat(40));
    await vi.waitFor(() => expect(condition(groupRuns(group)[0])).toBe("Running"), WAIT);
    await deployPush(running.port, "2".repeat(40));
    await vi.waitFor(() => expect(groupRuns(group)).toHaveLength(2), WAIT);
    let [first, second] = groupRuns(group);
    expect(specStatus(first)).toBeUndefined();
    expect(specStatus(second)).toBe("PipelineRunPending");
    expect(condition(second)).toBe("PipelineRunPending");
    await deployPush(running.port, "3".repeat(40));
    await vi.waitFor(() => expect(groupRuns(group)).toHaveLength(3), WAIT);
    expect(specStatus(groupRuns(group)[2])).toBe("PipelineRunPending");

    fake.setRunStatus(NS, "PipelineRun", first!.metadata.name, {
      succeeded: "True",
      reason: "Succeeded",
    });
    await vi.waitFor(() => expect(condition(groupRuns(group)[1])).toBe("Running"), WAIT);
    [first, second] = groupRuns(group);
    expect(specStatus(second)).toBeUndefined();
    // Still one at a time: the third waits.
    expect(condition(groupRuns(group)[2])).toBe("PipelineRunPending");

    fake.setRunStatus(NS, "PipelineRun", second!.metadata.name, {
      succeeded: "False",
      reason: "Failed",
    });
    await vi.waitFor(() => expect(condition(groupRuns(group)[2])).toBe("Running"), WAIT);
    const third = groupRuns(group)[2];
    // Two finished, two kept: nothing deleted yet.
    expect(groupRuns(group)).toHaveLength(3);

    fake.setRunStatus(NS, "PipelineRun", third!.metadata.name, {
      succeeded: "True",
      reason: "Succeeded",
    });
    await vi.waitFor(() => expect(groupRuns(group)).toHaveLength(2), WAIT);
    expect(groupRuns(group).map((o) => o.metadata.name)).toEqual([
      second!.metadata.name,
      third!.metadata.name,
    ]);
    const deletes = fake.requests.filter(
      (r) => r.method === "DELETE" && r.path.includes("/pipelineruns/"),
    );
    expect(deletes.map((r) => r.path.split("/").pop())).toEqual([first!.metadata.name]);
    // Every run was started once (a queue group's only patches are starts).
    const starts = (name: string): number =>
      fake.requests.filter((r) => r.method === "PATCH" && r.path.endsWith(`/pipelineruns/${name}`))
        .length;
    expect([
      starts(first!.metadata.name),
      starts(second!.metadata.name),
      starts(third!.metadata.name),
    ]).toEqual([1, 1, 1]);
  });

  it("the cluster down during ten pushes to a pull request: exactly one PipelineRun afterwards, the newest's", async () => {
    const group = `${REPO}#8`;
    await fake.stop();
    const events: string[] = [];
    for (let i = 0; i < 10; i++)
      events.push(await pullRequest(running.port, 8, String(i).repeat(40)));
    await fake.start();
    await vi.waitFor(async () => expect(await runStates(events[9]!)).toEqual(["delivered"]), {
      ...WAIT,
      timeout: 50_000,
    });
    const states = await Promise.all(events.slice(0, 9).map((id) => runStates(id)));
    expect(states).toEqual(events.slice(0, 9).map(() => ["superseded"]));
    const runs = groupRuns(group);
    expect(runs).toHaveLength(1);
    expect(revision(runs[0])).toBe("9".repeat(40));
  }, 60_000);
});

describe("the Tekton examples (no concurrency annotation)", () => {
  it("start no group watch and list no runs", async () => {
    const plainFake = await createFakeKubeApiServer({ tektonController: true });
    const plainDir = await mkdtemp(join(tmpdir(), "hookline-kube-plain-"));
    const plain = await createRuntime(
      settingsFor(EXAMPLE_CONFIG, plainFake.writeKubeconfig(plainDir)),
      {
        log: createCapturingLogger().log,
      },
    );
    try {
      const body = githubFixture("push");
      const res = await fetch(`http://127.0.0.1:${plain.port}/`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-hub-signature-256": sign(body),
        },
        body,
      });
      expect(res.status).toBe(202);
      await vi.waitFor(
        () => expect(plainFake.objects({ kind: "PipelineRun" })).toHaveLength(1),
        WAIT,
      );
      const [created] = plainFake.objects({ kind: "PipelineRun" });
      expect(created?.metadata.labels?.[LABEL_GROUP_HASH]).toBeUndefined();
      expect(plainFake.openWatches).toBe(0);
      // The sink's own requests only (its duplicate check by delivery key, the create): no
      // list of a group, no watch, no patch, no delete.
      const tekton = plainFake.requests.filter(
        (r) => r.path.includes("/pipelineruns") || r.path.includes("/taskruns"),
      );
      expect(tekton.map((r) => r.method)).toEqual(["GET", "POST"]);
      expect(tekton[0]?.query.get("labelSelector")).toMatch(/^hookline\.dev\/delivery-key=/);
      expect(tekton.some((r) => r.query.has("watch"))).toBe(false);
    } finally {
      await plain.close();
      await plainFake.close();
      await rm(plainDir, { recursive: true, force: true });
    }
  });

  it("a reload that adds a grouped template starts the watch; one that removes it stops it", async () => {
    const reloadFake = await createFakeKubeApiServer({ tektonController: true });
    const reloadDir = await mkdtemp(join(tmpdir(), "hookline-kube-reload-"));
    const config = join(reloadDir, "config");
    await cp(EXAMPLE_CONFIG, config, { recursive: true });
    const swap = async (from: string): Promise<void> => {
      await rm(config, { recursive: true, force: true });
      await cp(from, config, { recursive: true });
    };
    const live = await createRuntime(settingsFor(config, reloadFake.writeKubeconfig(reloadDir)), {
      log: createCapturingLogger().log,
    });
    try {
      expect(reloadFake.openWatches).toBe(0);
      await swap(join(ROOT, "examples", "concurrency"));
      expect(await live.reload()).toBe(true);
      // One watch per kind (PipelineRun, TaskRun) in namespace ci.
      await vi.waitFor(() => expect(reloadFake.openWatches).toBe(2), WAIT);
      const watched = reloadFake.requests.filter((r) => r.query.get("watch") === "true");
      expect(new Set(watched.map((r) => r.path))).toEqual(
        new Set([
          "/apis/tekton.dev/v1/namespaces/ci/pipelineruns",
          "/apis/tekton.dev/v1/namespaces/ci/taskruns",
        ]),
      );
      await swap(EXAMPLE_CONFIG);
      expect(await live.reload()).toBe(true);
      await vi.waitFor(() => expect(reloadFake.openWatches).toBe(0), WAIT);
    } finally {
      await live.close();
      await reloadFake.close();
      await rm(reloadDir, { recursive: true, force: true });
    }
  });
});
