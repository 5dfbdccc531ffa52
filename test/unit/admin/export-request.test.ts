import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  exportRequest,
  renderCurl,
  renderHttpFile,
  shellQuote,
} from "../../../src/admin/export-request.js";
import { parseHttpRequest } from "../../../src/cli/parse-http-request.js";
import type { StoredEvent } from "../../../src/store/types.js";
import { makeEvent } from "../store/journal-contract.js";

const SIGNATURE = "sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const BASE = "http://127.0.0.1:8080";

function github(over: Partial<StoredEvent> = {}): StoredEvent {
  return makeEvent({
    url: "/listeners/default/github-listener?x=1",
    headers: {
      "Content-Type": ["application/json"],
      "User-Agent": ["GitHub-Hookshot/abc"],
      "X-Github-Event": ["push"],
      "X-Github-Delivery": ["d-1"],
      "X-Hub-Signature": ["sha1=0123456789abcdef0123456789abcdef01234567"],
      "X-Hub-Signature-256": [SIGNATURE],
      Authorization: ["[redacted]"],
      "X-Forwarded-For": ["10.0.0.1, [redacted]"],
      "Content-Length": ["26"],
      Connection: ["keep-alive"],
    },
    body: { kind: "kept", bytes: Buffer.from(`{"ref":"it's \\"main\\"\\n"}`) },
    ...over,
  });
}

describe("a stored event as a request to send again", () => {
  it("leaves out signatures, credentials and redacted values, and signs again with hookline sign", () => {
    const event = github();
    const request = exportRequest(event)!;
    expect(request.headers.map(([n]) => n)).toEqual([
      "Content-Type",
      "User-Agent",
      "X-Github-Event",
      "X-Github-Delivery",
    ]);
    expect(request.leftOut).toEqual([
      { name: "X-Hub-Signature", why: "signature" },
      { name: "X-Hub-Signature-256", why: "signature" },
      { name: "Authorization", why: "credential" },
      { name: "X-Forwarded-For", why: "credential" },
    ]);
    expect(request.sign).toEqual(["--scheme", "github"]);
    for (const text of [
      renderCurl(request, event, BASE),
      renderHttpFile(request, event, BASE).toString("latin1"),
    ]) {
      expect(text).not.toContain(SIGNATURE.slice(7));
      expect(text).not.toContain("0123456789abcdef");
      expect(text).not.toContain("[redacted]");
      expect(text).toContain("hookline sign --scheme github");
    }
    // The snippet is valid bash, as a whole.
    expect(() =>
      execFileSync("bash", ["-n", "-c", renderCurl(request, event, BASE)]),
    ).not.toThrow();
  });

  it("picks the signing scheme from the headers the sender signed with", () => {
    const signOf = (headers: Record<string, string[]>, provider: StoredEvent["provider"]) =>
      exportRequest(makeEvent({ headers, provider }))?.sign;
    expect(signOf({ "X-Gitlab-Token": ["[redacted]"] }, "gitlab")).toEqual(["--scheme", "gitlab"]);
    expect(signOf({ "X-Hub-Signature": ["sha256=ab"] }, "bitbucket")).toEqual([
      "--scheme",
      "bitbucket",
    ]);
    expect(
      signOf({ "X-Slack-Signature": ["v0=ab"], "X-Slack-Request-Timestamp": ["1"] }, "slack"),
    ).toEqual(["--scheme", "slack"]);
    expect(
      signOf(
        { "Webhook-Id": ["msg_1"], "Webhook-Timestamp": ["1"], "Webhook-Signature": ["v1,x"] },
        "generic",
      ),
    ).toEqual(["--scheme", "standard-webhooks", "--id", "msg_1"]);
    expect(signOf({ "Content-Type": ["application/json"] }, "generic")).toBeUndefined();
    // The old timestamp goes: hookline sign makes a new one with the new signature.
    const slack = exportRequest(
      makeEvent({
        headers: { "X-Slack-Signature": ["v0=ab"], "X-Slack-Request-Timestamp": ["1"] },
      }),
    );
    expect(slack?.headers).toEqual([]);
  });

  it("is nothing for an event whose body was not kept", () => {
    const event = makeEvent({
      body: { kind: "not-kept", size: 3, sha256: "00", reason: "no trigger authenticated it" },
    });
    expect(exportRequest(event)).toBeUndefined();
  });

  it("writes the body byte for byte in the curl, text or binary", () => {
    const bodies = [
      Buffer.from(`{"q":"it's $HOME \`x\` \\\\ \\n"}\n`),
      Buffer.from([0, 1, 2, 255, 10, 39]),
    ];
    for (const bytes of bodies) {
      const event = makeEvent({ headers: {}, body: { kind: "kept", bytes } });
      const curl = renderCurl(exportRequest(event)!, event, BASE);
      // The snippet up to the curl line, with the file printed instead of sent.
      const script = curl.split("\ncurl ")[0] + '\ncat "$BODY"; rm -f "$BODY"\n';
      expect(execFileSync("bash", ["-c", script])).toEqual(bytes);
    }
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });

  it("downloads as a .http file that hookline dry-run --request reads back as sent", () => {
    const event = github();
    const file = renderHttpFile(exportRequest(event)!, event, BASE);
    const read = parseHttpRequest(file);
    expect(read.method).toBe("POST");
    expect(read.url).toBe("/listeners/default/github-listener?x=1");
    expect(read.body).toEqual(event.body.kind === "kept" ? event.body.bytes : undefined);
    const pairs: [string, string][] = [];
    for (let i = 0; i < read.rawHeaders.length; i += 2)
      pairs.push([read.rawHeaders[i] ?? "", read.rawHeaders[i + 1] ?? ""]);
    expect(pairs).toEqual([
      ["Content-Type", "application/json"],
      ["User-Agent", "GitHub-Hookshot/abc"],
      ["X-Github-Event", "push"],
      ["X-Github-Delivery", "d-1"],
      ["Content-Length", String(read.body.length)],
    ]);
  });
});
