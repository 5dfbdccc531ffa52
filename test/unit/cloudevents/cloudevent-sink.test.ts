import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createCloudEventSink } from "../../../src/cloudevents/cloudevent-sink.js";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import type { CloudEventDelivery } from "../../../src/store/types.js";

/** A loopback port nobody listens on now (taken, then freed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  await new Promise((resolve) => s.close(resolve));
  return typeof address === "object" && address !== null ? address.port : 0;
}

describe("CloudEvent sink: a receiver that is down", () => {
  it("fails retryably, naming the URL without its credentials or query, and the cause", async () => {
    const port = await closedPort();
    const delivery = {
      uri: `http://user:pa55word@127.0.0.1:${port}/events?token=s3cret`,
      event: {
        id: "1",
        source: "/hookline",
        type: "dev.tekton.event.triggers.started.v1",
        specversion: "1.0",
        data: {},
      },
    } as unknown as CloudEventDelivery;
    const err: unknown = await createCloudEventSink()
      .send(delivery)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(HooklineError);
    const e = err as HooklineError;
    expect(e.code).toBe("HL_SINK_WRITE_FAILED");
    expect(e.details).toMatchObject({ retryable: true });
    expect(e.message).toContain(`http://127.0.0.1:${port}/events?…`);
    expect(e.message).toMatch(/connection refused .*\(ECONNREFUSED\)/);
    expect(e.message).not.toMatch(/fetch failed|pa55word|s3cret/);
  });
});
