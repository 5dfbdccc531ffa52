import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { startBanner } from "../../../src/runtime/start-banner.js";
import { summarizeListener } from "../../../src/config/listener-summary.js";
import type {
  CompiledListener,
  CompiledTrigger,
  InterceptorStep,
} from "../../../src/config/compiled.js";
import { fakeIo } from "../../support/fake-io.js";
import { EXAMPLE_CONFIG } from "../../support/fixtures.js";

const URL_ = "http://localhost:9000/listeners/default/github-listener";

describe("hookline listeners", () => {
  it("lists the example's listener once per provider, with its URL on --port and its event types", async () => {
    const io = fakeIo();
    expect(await main(["listeners", "--config", EXAMPLE_CONFIG, "--port", "9000"], io)).toBe(0);
    const lines = io.out().trimEnd().split("\n");
    expect(lines[0]).toMatch(/^LISTENER\s+WEBHOOK URL\s+PROVIDER\s+EVENT TYPES$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ["default/github-listener", URL_, "github", "push"],
      ["default/github-listener", URL_, "gitlab", "Push Hook, Merge Request Hook"],
      ["default/github-listener", URL_, "bitbucket", "repo:push"],
    ]);
  });

  it("answers JSON with --output json, https with TLS_CERT and the host of --host", async () => {
    const io = fakeIo({ TLS_CERT: "c.pem" });
    const args = ["listeners", "--config", EXAMPLE_CONFIG, "--host", "::1", "--output", "json"];
    expect(await main(args, io)).toBe(0);
    const rows = JSON.parse(io.out()) as { url: string; provider: string; eventTypes: string[] }[];
    expect(rows[0]).toEqual({
      listener: "default/github-listener",
      url: "https://[::1]:8080/listeners/default/github-listener",
      provider: "github",
      eventTypes: ["push"],
    });
  });

  it("takes a group's interceptors as its triggers'; a trigger without a provider takes any sender", () => {
    const step = (name: string, params: unknown): InterceptorStep =>
      ({ kind: "builtin", name, params }) as InterceptorStep;
    const trigger = (name: string, interceptors: InterceptorStep[]): CompiledTrigger =>
      ({ name, plan: { kind: "plan", interceptors } }) as unknown as CompiledTrigger;
    const listener = {
      namespace: "team",
      name: "ci",
      triggers: [trigger("anything", [step("cel", { filter: "true" })])],
      groups: [
        {
          name: "gh",
          interceptors: [step("github", { eventTypes: ["push", "pull_request"] })],
          triggers: [trigger("pushes", [step("github", { eventTypes: ["push"] })])],
        },
      ],
    } as unknown as CompiledListener;
    const summary = summarizeListener(listener);
    expect(summary.triggers).toEqual([
      { name: "anything", providers: [], eventTypes: undefined },
      { name: "gh/pushes", providers: ["github"], eventTypes: ["push"] },
    ]);
    expect(startBanner([summary], "http://localhost:8080", "http://127.0.0.1:9090/ui/")).toBe(
      [
        "hookline is listening on http://localhost:8080",
        "  Point GitHub at http://localhost:8080/listeners/team/ci (push)",
        "  Events, traces and deliveries: http://127.0.0.1:9090/ui/",
        "",
      ].join("\n"),
    );
  });

  it("refuses a config with document errors, printing them, exit 2", async () => {
    const broken = await mkdtemp(join(tmpdir(), "hookline-listeners-broken-"));
    await writeFile(join(broken, "x.yaml"), "kind: EventListener\nspec: [\n");
    const io = fakeIo();
    expect(await main(["listeners", "--config", broken], io)).toBe(2);
    expect(io.err()).toContain("x.yaml");
    await rm(broken, { recursive: true, force: true });
  });
});
