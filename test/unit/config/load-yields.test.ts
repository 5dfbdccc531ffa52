import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfigDir } from "../../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import type { InterceptorRegistry } from "../../../src/interceptors/registry.js";
import { EXAMPLE_CONFIG } from "../../support/fixtures.js";
import { createTestApp } from "../../support/test-app.js";

/**
 * A reload of a big config must not freeze the listener (issue 11 item 10: 6.4 s for 50 MB). The
 * loader gives the event loop a turn between documents (every 10 ms of work) and between files,
 * so a /live request that arrives while it parses is answered before the load ends. Ordering, not
 * timing: the request is sent the moment the loader is inside the last file's documents (its first
 * interceptor lookup), and the test asserts that the answer came before the load finished. (The
 * files are smaller than the 4 MiB limit only to keep the test short: parsing is ~2 µs a byte.)
 */
const TRIGGER = `apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: first
spec:
  interceptors:
    - ref: { name: cel }
      params:
        - name: filter
          value: "true"
  bindings: [{ ref: b-0 }]
  template: { ref: t }
`;
const binding = (name: string): string => `---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: ${name}
spec:
  params:
    - name: revision
      value: $(body.head_commit.id)
    - name: url
      value: $(body.repository.clone_url)
`;

/** A file of about `bytes`, made of many small documents. */
function bigFile(prefix: string, bytes: number, first = ""): string {
  const parts = [first];
  let size = first.length;
  for (let i = 0; size < bytes; i++) {
    const doc = binding(`${prefix}-${i}`);
    parts.push(doc);
    size += doc.length;
  }
  return parts.join("");
}

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("loading a big config", () => {
  it("answers /live while the load runs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hookline-big-config-"));
    dirs.push(dir);
    // The last file holds the trigger: reading a file yields anyway, parsing it did not.
    await writeFile(join(dir, "a.yaml"), bigFile("a", 256 * 1024));
    await writeFile(join(dir, "b.yaml"), bigFile("b", 256 * 1024));
    await writeFile(join(dir, "z.yaml"), bigFile("z", 512 * 1024, TRIGGER));

    const app = await createTestApp(EXAMPLE_CONFIG);
    await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const socket: Socket = connect({ port, host: "127.0.0.1" });
    await new Promise((resolve) => socket.once("connect", resolve));

    const order: string[] = [];
    const answered = new Promise<void>((resolve) =>
      socket.once("data", (chunk: Buffer) => {
        order.push(chunk.toString("utf8").startsWith("HTTP/1.1 200") ? "live answered" : "other");
        resolve();
      }),
    );
    const builtins = createBuiltinRegistry();
    let sent = false;
    const registry = Object.assign(Object.create(builtins) as InterceptorRegistry, {
      get(name: string) {
        if (!sent) {
          sent = true;
          socket.write("GET /live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        }
        return builtins.get(name);
      },
    });
    try {
      const config = await loadConfigDir(dir, { registry, relativeTo: dir });
      order.push("load finished");
      expect(sent).toBe(true);
      expect(config.issues.filter((i) => i.class === "document")).toEqual([]);
      await answered;
      expect(order).toEqual(["live answered", "load finished"]);
    } finally {
      socket.destroy();
      await app.close();
    }
  });
});
