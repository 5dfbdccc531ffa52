import { describe, expect, it } from "vitest";
import { createSecretValues } from "../../../src/core/secret-values.js";
import type { IncomingEvent } from "../../../src/core/incoming-event.js";
import { toStoredEvent } from "../../../src/listener/to-stored-event.js";
import type { NotApplicableTrigger } from "../../../src/listener/types.js";

const event: IncomingEvent = {
  eventId: "e1",
  receivedAt: new Date(0),
  method: "POST",
  url: "/",
  header: {},
  rawBody: Buffer.from("{}"),
  provider: "generic",
  deliveryId: undefined,
};
const listener = { namespace: "default", name: "el" };

describe("toStoredEvent's not-applicable list", () => {
  const values = createSecretValues();
  values.learn("s3cret-token");
  const quoted: NotApplicableTrigger = {
    trigger: "t1",
    ruledOutBy: {
      fact: "filter",
      seen: "x-s3cret-token-y",
      expected: ["other", "s3cret-token"],
      subject: "header X-Kind",
    },
  };
  const plain: NotApplicableTrigger = {
    trigger: "t2",
    ruledOutBy: { fact: "eventType", seen: "ping", expected: ["push"], header: "X-Github-Event" },
  };

  it("redacts a secret value the event or the config put in an entry, and keeps the rest", () => {
    const stored = toStoredEvent(
      event,
      listener,
      202,
      "filtered",
      {
        traces: [],
        notApplicable: [plain, quoted, plain],
      },
      values,
    );
    expect(JSON.stringify(stored.notApplicable)).not.toContain("s3cret-token");
    expect(stored.notApplicable?.[1]?.ruledOutBy).toMatchObject({
      seen: "x-[redacted]-y",
      expected: ["other", "[redacted]"],
      subject: "header X-Kind",
    });
    // Entries without a secret are the same objects, in their places.
    expect(stored.notApplicable?.[0]).toBe(plain);
    expect(stored.notApplicable?.[2]).toBe(plain);
  });
});
