import { describe, expect, it } from "vitest";
import { createCommandLogger } from "../../../src/cli/command-logger.js";
import { main } from "../../../src/cli/main.js";
import { fakeIo } from "../../support/fake-io.js";

const ESC = "\u001b[";

/** One info line with fields through a command's logger onto `io.stdout`. */
function logOnce(env: Record<string, string>, tty: boolean): string {
  const io = fakeIo(env, { tty });
  const format =
    env["HOOKLINE_LOG_FORMAT"] === "json"
      ? "json"
      : env["HOOKLINE_LOG_FORMAT"] === "text"
        ? "text"
        : undefined;
  const log = createCommandLogger({ logLevel: "info", logFormat: format }, io.stdout, io.env);
  log.child({ eventId: "e-1" }).info("listening", {
    port: 8080,
    webhookUrls: ["http://localhost:8080/listeners/default/l"],
    note: "two words",
  });
  return io.out();
}

describe("log format: JSON for machines, text for people", () => {
  it("writes JSON when the stream is not a terminal", () => {
    const line = logOnce({}, false);
    expect(JSON.parse(line)).toMatchObject({
      level: "info",
      message: "listening",
      port: 8080,
      eventId: "e-1",
    });
  });

  it("writes one readable coloured line on a terminal", () => {
    const line = logOnce({}, true);
    expect(line.trimEnd().split("\n")).toHaveLength(1);
    expect(line).toContain(ESC);
    const plain = line
      .split(ESC)
      .map((part, i) => (i === 0 ? part : part.replace(/^\d+m/, "")))
      .join("");
    expect(plain).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}listening eventId=e-1 port=8080 webhookUrls=\["http:\/\/localhost:8080\/listeners\/default\/l"\] note="two words"\n$/,
    );
  });

  it("leaves colour out with NO_COLOR or TERM=dumb, and on a pipe with HOOKLINE_LOG_FORMAT=text", () => {
    expect(logOnce({ NO_COLOR: "1" }, true)).not.toContain(ESC);
    expect(logOnce({ TERM: "dumb" }, true)).not.toContain(ESC);
    const piped = logOnce({ HOOKLINE_LOG_FORMAT: "text" }, false);
    expect(piped).toMatch(/ INFO {2}listening /);
    expect(piped).not.toContain(ESC);
  });

  it("writes JSON on a terminal with HOOKLINE_LOG_FORMAT=json", () => {
    expect(JSON.parse(logOnce({ HOOKLINE_LOG_FORMAT: "json" }, true))).toMatchObject({
      message: "listening",
    });
  });

  it.each(["serve", "replay", "dry-run"])(
    "%s refuses an unknown HOOKLINE_LOG_FORMAT before it starts, naming the valid ones",
    async (command) => {
      const io = fakeIo({ HOOKLINE_LOG_FORMAT: "pretty" });
      const args =
        command === "replay" ? ["some-id"] : command === "dry-run" ? ["--payload", "p.json"] : [];
      expect(await main([command, ...args], io)).toBe(2);
      expect(io.err()).toContain(
        'invalid log format "pretty" (HOOKLINE_LOG_FORMAT): use one of json, text',
      );
      expect(io.out()).toBe("");
    },
  );
});
