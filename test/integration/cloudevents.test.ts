import { createServer, type IncomingMessage, type Server } from "node:http";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, writeConfigDir, type TestApp } from "../support/test-app.js";

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}

/** A CloudEvents receiver on loopback: keeps what it gets; fails the first post when asked to. */
function createFakeCloudEventsReceiver(
  failFirst: boolean,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  let failed = !failFirst;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (!failed) {
        failed = true;
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(202).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/events`, received });
    });
  });
}

describe("CloudEvents, as Tekton sends them", () => {
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof createFakeCloudEventsReceiver>>;
  beforeAll(async () => {
    receiver = await createFakeCloudEventsReceiver(true);
    const dir = await writeConfigDir({
      "el.yaml": `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: ce-listener, namespace: ci }
spec:
  cloudEventURI: ${receiver.url}
  triggers:
    - name: always
      template:
        spec:
          resourcetemplates: [{ apiVersion: v1, kind: ConfigMap, metadata: { generateName: cm- } }]
`,
    });
    app = await createTestApp(dir);
  });
  afterAll(async () => {
    await app.close();
    receiver.server.close();
  });

  it("answers a CloudEvent request with a CloudEvent of type accepted", async () => {
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("Ce-Specversion", "1.0")
      .set("Ce-Id", "abc")
      .set("Ce-Type", "com.example.push")
      .set("Ce-Source", "/repo")
      .send('{"a":1}');
    expect(res.status).toBe(202);
    const eventId = (res.body as { eventID: string }).eventID;
    expect(res.headers).toMatchObject({
      "ce-specversion": "1.0",
      "ce-id": eventId,
      "ce-type": "dev.tekton.event.triggers.accepted.v1",
      "ce-source": "ce-listener",
      "ce-subject": `ci.ce-listener accepted ${eventId}`,
    });
  });

  it("posts started, successful and done to cloudEventURI for a fired trigger, retrying through the journal", async () => {
    const res = await request(app.server)
      .post("/")
      .set("Content-Type", "application/json")
      .set("X-Custom", "yes")
      .send('{"b":2}');
    const eventId = (res.body as { eventID: string }).eventID;
    // The receiver refused the first post (503): the worker retries it after its backoff.
    for (
      let i = 0;
      i < 50 &&
      receiver.received.filter(
        (r) => r.headers["ce-subject"] === `ce-listener processing ${eventId}`,
      ).length < 3;
      i++
    ) {
      await app.worker.drain();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Make the retry due now rather than after the backoff (a save needs the run's claim).
      for (const run of await app.journal.claimDueRuns(new Date(8.64e15), 100, 1))
        await app.journal.saveRun(
          run.eventId === eventId ? { ...run, nextAttemptAt: new Date(0) } : run,
        );
    }
    const mine = receiver.received.filter(
      (r) => r.headers["ce-subject"] === `ce-listener processing ${eventId}`,
    );
    expect(mine.map((r) => r.headers["ce-type"])).toEqual([
      "dev.tekton.event.triggers.started.v1",
      "dev.tekton.event.triggers.successful.v1",
      "dev.tekton.event.triggers.done.v1",
    ]);
    expect(mine[0]?.headers["ce-source"]).toBe(
      "/apis/triggers.tekton.dev/v1beta1/namespaces/ci/eventlisteners/ce-listener",
    );
    // The data is the request's headers, as Tekton sends them.
    expect((JSON.parse(mine[0]?.body ?? "{}") as Record<string, string[]>)["X-Custom"]).toEqual([
      "yes",
    ]);
  });
});
