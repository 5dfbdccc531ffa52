import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { createTestApp } from "../support/test-app.js";
import { EXAMPLE_CONFIG } from "../support/fixtures.js";

describe("a request that takes too long", () => {
  it("gets Tekton's 503 and text, and the connection is not left hanging", async () => {
    const app = await createTestApp(EXAMPLE_CONFIG, { requestTimeoutMs: 150 });
    await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/",
            headers: { "Content-Type": "application/json", "Content-Length": "100" },
          },
          (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on("error", reject);
        // Ten bytes of a hundred: the body never completes.
        req.write('{"a":"1234');
      });
      expect(answer).toEqual({ status: 503, text: "EventListener Timeout!\n" });
    } finally {
      app.server.closeAllConnections();
      await app.close();
    }
  });
});
