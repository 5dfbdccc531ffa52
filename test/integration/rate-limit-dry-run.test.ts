/**
 * A dry run has no buckets (issue 12, rate limit): a limit of 1/h never stops it, however often it
 * runs; it prints the limits it would have applied.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { fakeIo } from "../support/fake-io.js";
import { writeConfigDir } from "../support/test-app.js";

const CONFIG = `
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
  annotations: { hookline.dev/rate-limit: "1/h" }
spec:
  triggers: [{ triggerRef: build }]
---
apiVersion: triggers.tekton.dev/v1beta1
kind: Trigger
metadata:
  name: build
  annotations: { hookline.dev/rate-limit: "1/h" }
spec:
  template: { ref: tt }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt }
spec:
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { generateName: e- } }
`;

describe("dry-run and hookline.dev/rate-limit", () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("takes no token: three runs at 1/h all fire, and print the limits", async () => {
    const dir = await writeConfigDir({ "el.yaml": CONFIG });
    dirs.push(dir);
    const payload = join(dir, "payload.json");
    writeFileSync(payload, "{}");
    for (let i = 0; i < 3; i++) {
      const io = fakeIo();
      const args = ["dry-run", "--config", dir, "--payload", payload, "--output", "json"];
      const code = await main(args, io);
      expect(code, io.err()).toBe(0);
      const out = JSON.parse(io.out()) as {
        triggers: { outcome: string }[];
        rateLimits: Record<string, unknown>;
      };
      expect(out.triggers.map((t) => t.outcome)).toEqual(["fired"]);
      expect(out.rateLimits).toMatchObject({
        eventListener: "1/h",
        triggers: { "namespaces/default/triggers/build": "1/h" },
      });
      expect(out.rateLimits["note"]).toContain("no buckets");
    }
  });
});
