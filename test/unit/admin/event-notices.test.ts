import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createEventNotices, type EventNotices } from "../../../src/admin/event-notices.js";
import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import { makeEvent } from "../store/journal-contract.js";

/** A stream read as it arrives, line by line. */
async function open(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; next: (text: string) => Promise<string>; close: () => void }> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const reader = res.body!.getReader();
  let seen = "";
  return {
    status: res.status,
    // Reads until the stream has said `text`; returns all it said so far.
    async next(text) {
      while (!seen.includes(text)) {
        const { value, done } = (await reader.read()) as { value?: Uint8Array; done: boolean };
        if (done) throw new Error(`stream ended before "${text}": ${seen}`);
        seen += Buffer.from(value ?? new Uint8Array()).toString("utf8");
      }
      return seen;
    },
    close: () => abort.abort(),
  };
}

describe("new-event notices as server-sent events", () => {
  let server: Server | undefined;
  let notices: EventNotices | undefined;
  afterEach(async () => {
    notices?.close();
    server?.closeAllConnections();
    server?.close();
    if (server !== undefined) await once(server, "close");
  });

  async function start(maxClients: number): Promise<string> {
    notices = createEventNotices(createMemoryJournal(), { maxClients });
    const app = express();
    app.get("/stream", notices.stream);
    server = createServer(app).listen(0, "127.0.0.1");
    await once(server, "listening");
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  }

  it("announces each recorded event to every open stream, with nothing of its content", async () => {
    const url = await start(4);
    const [a, b] = [await open(url), await open(url)];
    expect([a.status, b.status]).toEqual([200, 200]);
    await a.next("retry:");
    await b.next("retry:");
    const event = makeEvent({ outcome: "fired" });
    await notices!.journal.record(event, []);
    for (const s of [a, b]) {
      const said = await s.next("\n\n").then(() => s.next(event.id));
      const data = /event: event\ndata: (.*)\n/.exec(said)?.[1] ?? "";
      expect(JSON.parse(data)).toEqual({
        id: event.id,
        listener: event.listener,
        outcome: "fired",
        receivedAt: event.receivedAt.toISOString(),
      });
      expect(said).not.toContain("refs/heads");
    }
    // What the wrapped journal stored is what any reader finds.
    expect((await notices!.journal.getEvent(event.id))?.id).toBe(event.id);
    a.close();
    b.close();
  });

  it("holds at most maxClients streams, and frees a slot when one closes", async () => {
    const url = await start(1);
    const first = await open(url);
    await first.next("retry:");
    const refused = await fetch(url);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain("HL_ADMIN_TOO_MANY_STREAMS");
    first.close();
    await expect.poll(() => notices!.clients).toBe(0);
    const again = await open(url);
    expect(again.status).toBe(200);
    again.close();
  });

  it("refuses a stream asked for by another site's page", async () => {
    const url = await start(4);
    const res = await fetch(url, { headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("HL_ADMIN_CROSS_SITE");
    expect(notices!.clients).toBe(0);
  });
});
