import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bitbucket } from "../../../interceptors/bitbucket/index.js";
import { github } from "../../../interceptors/github/index.js";
import { gitlab } from "../../../interceptors/gitlab/index.js";
import { hmac } from "../../../interceptors/hmac/index.js";
import { slack } from "../../../interceptors/slack/index.js";
import { standardWebhooks } from "../../../interceptors/standard-webhooks/index.js";
import { main } from "../../../src/cli/main.js";
import { fakeIo } from "../../support/fake-io.js";
import { canonicalHeaderKey } from "../../../src/core/canonical-header.js";
import type {
  Interceptor,
  InterceptorContext,
  InterceptorRequest,
  InterceptorResponse,
} from "../../../src/interceptors/types.js";
import { formBodyAsJSON } from "../../../src/listener/prepare-body.js";
import { createLogger } from "../../../src/log/logger.js";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hookline-sign-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

interface RunResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `main(["sign", …argv])` with a fake io: what it wrote, and an empty environment. */
async function sign(argv: string[]): Promise<RunResult> {
  const io = fakeIo();
  const code = await main(["sign", ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

/** `Name: value` lines as Tekton's header map, the way intake canonicalises them. */
function headerMap(out: string, extra: Record<string, string> = {}): Record<string, string[]> {
  const header: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(extra)) header[canonicalHeaderKey(k)] = [v];
  for (const line of out.split("\n").filter((l) => l !== "")) {
    const colon = line.indexOf(": ");
    header[canonicalHeaderKey(line.slice(0, colon))] = [line.slice(colon + 2)];
  }
  return header;
}

const SECRETS: Record<string, string> = {
  "default/hook/old": "old-s3cr3t",
  "default/hook/new": "n3w-s3cr3t",
  "default/hook/whsec": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  "default/hook/slack": "8f742231b10e8888abcd99yyyzzz85a5",
};

function ctxAt(receivedAt: Date): InterceptorContext {
  return {
    secrets: {
      get: (ref, ns) => {
        const value = SECRETS[`${ns}/${ref.secretName}/${ref.secretKey}`];
        return value === undefined
          ? Promise.reject(
              new Error(`cannot find ${ref.secretKey} key in secret ${ns}/${ref.secretName}`),
            )
          : Promise.resolve(Buffer.from(value));
      },
    },
    namespace: "default",
    log: createLogger({ silent: true }),
    signal: new AbortController().signal,
    receivedAt,
  };
}

/** Runs an interceptor over a signed request, as the chain would (form bodies converted). */
async function verify<P>(
  interceptor: Interceptor<P>,
  params: Record<string, unknown>,
  body: string,
  header: Record<string, string[]>,
  receivedAt = new Date(),
): Promise<InterceptorResponse> {
  const raw = Buffer.from(body);
  const chainBody = formBodyAsJSON(header, raw) ?? raw;
  const req: InterceptorRequest = {
    body: chainBody,
    rawBody: raw,
    bodyJSON: () => JSON.parse(chainBody.toString("utf8")) as unknown,
    header,
    extensions: {},
    context: { event_url: "/", event_id: "e", trigger_id: "namespaces/default/triggers/t" },
  };
  return interceptor.process(req, interceptor.parseParams(params), ctxAt(receivedAt));
}

const ref = (secretKey: string): { secretName: string; secretKey: string } => ({
  secretName: "hook",
  secretKey,
});

const BODY = '{"ref": "refs/heads/main", "after": "709d658d"}';
const FORM =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

// ---------------------------------------------------------------------------------------------
// Published vectors
// ---------------------------------------------------------------------------------------------

describe("hookline sign: published vectors", () => {
  it("standard-webhooks: the specification's test vector, three header lines", async () => {
    const payload = await file("sw.json", '{"test": 2432232314}');
    const res = await sign([
      "--scheme",
      "standard-webhooks",
      "--secret",
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "--id",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "--timestamp",
      "1614265330",
      payload,
    ]);
    expect(res).toEqual({
      code: 0,
      out:
        "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\n" +
        "webhook-timestamp: 1614265330\n" +
        "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\n",
      err: "",
    });
  });

  it("slack: Slack's worked example", async () => {
    const payload = await file("slack.txt", FORM);
    const secret = await file("slack-secret.txt", `${SECRETS["default/hook/slack"] ?? ""}\n`);
    const res = await sign([
      "--scheme",
      "slack",
      "--secret-file",
      secret,
      "--timestamp",
      "1531420618",
      payload,
    ]);
    expect(res).toEqual({
      code: 0,
      out:
        "X-Slack-Request-Timestamp: 1531420618\n" +
        "X-Slack-Signature: v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503\n",
      err: "",
    });
  });

  it("github: Tekton's examples/v1beta1/github/curl.sh signature", async () => {
    // The vector of TEKTON-SPEC §4.1 (secret 1234567).
    const payload = await file(
      "github.json",
      '{"action": "opened", "pull_request":{"head":{"sha": "28911bbb5a3e2ea034daf1f6be0a822d50e31e73"}},"repository":{"clone_url": "https://github.com/tektoncd/triggers.git"}}',
    );
    const res = await sign(["--secret", "1234567", payload]);
    expect(res.code).toBe(0);
    expect(res.out).toBe(
      "X-Hub-Signature-256: sha256=c26dd919ebe335852219c49f74c4b24f1c62c93c77294be3ac6d8f2e4691a023\n",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Round trips: what `sign` prints, the interceptor accepts
// ---------------------------------------------------------------------------------------------

describe("hookline sign: the matching interceptor accepts what it prints", () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: {
    name: string;
    argv: string[];
    body: string;
    interceptor: Interceptor<never>;
    params: Record<string, unknown>;
    extra?: Record<string, string>;
    lines: number;
  }[] = [
    {
      name: "github",
      argv: ["--secret", "old-s3cr3t"],
      body: BODY,
      interceptor: github as Interceptor<never>,
      params: { secretRef: ref("old") },
      lines: 1,
    },
    {
      name: "bitbucket (secretRefs: the new key)",
      argv: ["--scheme", "bitbucket", "--secret", "n3w-s3cr3t"],
      body: BODY,
      interceptor: bitbucket as Interceptor<never>,
      params: { eventTypes: ["repo:push"], secretRefs: [ref("old"), ref("new")] },
      extra: { "X-Event-Key": "repo:push" },
      lines: 1,
    },
    {
      name: "gitlab (secretRef)",
      argv: ["--scheme", "gitlab", "--secret", "old-s3cr3t"],
      body: BODY,
      interceptor: gitlab as Interceptor<never>,
      params: { secretRef: ref("old") },
      lines: 1,
    },
    {
      name: "gitlab (secretRefs: a missing secret skipped, the new key matches)",
      argv: ["--scheme", "gitlab", "--secret", "n3w-s3cr3t"],
      body: BODY,
      interceptor: gitlab as Interceptor<never>,
      params: { secretRefs: [ref("missing"), ref("old"), ref("new")] },
      lines: 1,
    },
    {
      name: "gitlab (secretRef old, secretRefs new: the old key)",
      argv: ["--scheme", "gitlab", "--secret", "old-s3cr3t"],
      body: BODY,
      interceptor: gitlab as Interceptor<never>,
      params: { secretRef: ref("old"), secretRefs: [ref("new")] },
      lines: 1,
    },
    {
      name: "slack (timestamp now)",
      argv: ["--scheme", "slack", "--secret", "8f742231b10e8888abcd99yyyzzz85a5"],
      body: FORM,
      interceptor: slack as Interceptor<never>,
      params: { requestedFields: ["command"], secretRef: ref("slack") },
      extra: { "Content-Type": "application/x-www-form-urlencoded" },
      lines: 2,
    },
    {
      name: "standard-webhooks (random id, timestamp now)",
      argv: ["--scheme", "standard-webhooks", "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
      body: BODY,
      interceptor: standardWebhooks as Interceptor<never>,
      params: { secretRefs: [ref("old"), ref("whsec")] },
      lines: 3,
    },
    {
      name: "standard-webhooks (a raw secret, an explicit timestamp)",
      argv: [
        "--scheme",
        "standard-webhooks",
        "--secret",
        "old-s3cr3t",
        "--timestamp",
        String(now - 60),
      ],
      body: BODY,
      interceptor: standardWebhooks as Interceptor<never>,
      params: { secretRef: ref("old") },
      lines: 3,
    },
    {
      name: "hmac (defaults: sha256 hex)",
      argv: ["--scheme", "hmac", "--header", "X-Signature", "--secret", "old-s3cr3t"],
      body: BODY,
      interceptor: hmac as Interceptor<never>,
      params: { header: "X-Signature", secretRef: ref("old") },
      lines: 1,
    },
    {
      name: "hmac (sha512 base64 with a prefix, secretRefs)",
      argv: [
        "--scheme",
        "hmac",
        "--header",
        "X-Payload-Signature",
        "--algorithm",
        "sha512",
        "--encoding",
        "base64",
        "--prefix",
        "sha512=",
        "--secret",
        "n3w-s3cr3t",
      ],
      body: BODY,
      interceptor: hmac as Interceptor<never>,
      params: {
        header: "X-Payload-Signature",
        algorithm: "sha512",
        encoding: "base64",
        prefix: "sha512=",
        secretRefs: [ref("old"), ref("new")],
      },
      lines: 1,
    },
  ];

  it.each(cases)("$name", async (c) => {
    const payload = await file(`${c.name.replace(/\W+/g, "-")}.body`, c.body);
    const res = await sign([...c.argv, payload]);
    expect(res.code).toBe(0);
    const lines = res.out.split("\n");
    expect(lines.pop()).toBe(""); // ends with one newline
    expect(lines).toHaveLength(c.lines);
    // Each line is one header, usable as `curl -H "<line>"`.
    for (const line of lines) expect(line).toMatch(/^[A-Za-z0-9-]+: [^\s]+$/);
    const header = headerMap(res.out, c.extra);
    expect(await verify(c.interceptor, c.params, c.body, header)).toMatchObject({
      continue: true,
    });
  });

  it("slack: a --timestamp older than 5 minutes is rejected by the interceptor", async () => {
    const payload = await file("slack-old.txt", FORM);
    const res = await sign([
      "--scheme",
      "slack",
      "--secret",
      "8f742231b10e8888abcd99yyyzzz85a5",
      "--timestamp",
      String(now - 301),
      payload,
    ]);
    const header = headerMap(res.out, { "Content-Type": "application/x-www-form-urlencoded" });
    const verdict = await verify(
      slack as Interceptor<never>,
      { requestedFields: ["command"], secretRef: ref("slack") },
      FORM,
      header,
      new Date(now * 1000),
    );
    expect(verdict).toMatchObject({ continue: false, authFailure: true });
  });
});

describe("hookline sign: gitlab key rotation, verified by the gitlab interceptor", () => {
  const cases: {
    name: string;
    token: string;
    params: Record<string, unknown>;
    expected: InterceptorResponse;
  }[] = [
    {
      name: "a token matching none of secretRefs",
      token: "stale-token",
      params: { secretRefs: [ref("old"), ref("new")] },
      expected: {
        continue: false,
        status: { code: "INVALID_ARGUMENT", message: "Invalid X-GitLab-Token" },
        authFailure: true,
      },
    },
    {
      name: "one secret missing, the other not matching",
      token: "stale-token",
      params: { secretRefs: [ref("missing"), ref("old")] },
      expected: {
        continue: false,
        status: { code: "INVALID_ARGUMENT", message: "Invalid X-GitLab-Token" },
        authFailure: true,
      },
    },
    {
      name: "no secret can be read (Tekton's error getting secret, for the first)",
      token: "old-s3cr3t",
      params: { secretRefs: [ref("missing"), ref("gone")] },
      expected: {
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message: "error getting secret: cannot find missing key in secret default/hook",
        },
        failure: { code: "HL_SECRET_NOT_FOUND" },
      },
    },
    {
      name: "an empty secretRef key is still Tekton's rejection",
      token: "old-s3cr3t",
      params: { secretRef: { secretName: "hook" }, secretRefs: [ref("old")] },
      expected: {
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message: "gitlab interceptor secretRef.secretKey is empty",
        },
      },
    },
  ];
  it.each(cases)("$name", async (c) => {
    const res = await sign(["--scheme", "gitlab", "--secret", c.token]);
    expect(res.code).toBe(0);
    const verdict = await verify(gitlab as Interceptor<never>, c.params, BODY, headerMap(res.out));
    expect(verdict).toEqual(c.expected);
    expect(JSON.stringify(verdict)).not.toContain(c.token);
  });

  it("refuses an empty secretRefs entry at load time", () => {
    expect(() => gitlab.parseParams({ secretRefs: [{ secretName: "hook" }] })).toThrow(
      /secretRefs\[0\]/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets and errors
// ---------------------------------------------------------------------------------------------

describe("hookline sign: the secret", () => {
  const SECRET = "d0-not-print-me";
  it.each([
    { name: "github", argv: [] },
    { name: "bitbucket", argv: ["--scheme", "bitbucket"] },
    { name: "slack", argv: ["--scheme", "slack"] },
    { name: "standard-webhooks", argv: ["--scheme", "standard-webhooks"] },
    { name: "hmac", argv: ["--scheme", "hmac", "--header", "X-Sig"] },
  ])("is never printed by $name", async (c) => {
    const payload = await file("secret-check.json", BODY);
    const res = await sign([...c.argv, "--secret", SECRET, payload]);
    expect(res.code).toBe(0);
    expect(res.out + res.err).not.toContain(SECRET);
  });

  it("is printed by gitlab, whose header is the token, with a note on stderr", async () => {
    const res = await sign(["--scheme", "gitlab", "--secret", SECRET]);
    expect(res).toEqual({
      code: 0,
      out: `X-Gitlab-Token: ${SECRET}\n`,
      err: "hookline sign: note: the gitlab scheme's header is the secret token itself\n",
    });
  });

  it("is read from --secret-file without its trailing newline", async () => {
    const payload = await file("sf.json", BODY);
    const secretFile = await file("sf.txt", `${SECRET}\n`);
    const res = await sign(["--scheme", "bitbucket", "--secret-file", secretFile, payload]);
    const hex = createHmac("sha256", SECRET).update(BODY).digest("hex");
    expect(res.out).toBe(`X-Hub-Signature: sha256=${hex}\n`);
  });
});

describe("hookline sign: usage errors", () => {
  it.each([
    { name: "an unknown scheme", argv: ["--scheme", "stripe", "--secret", "s", "P"] },
    { name: "no secret", argv: ["P"] },
    { name: "both --secret and --secret-file", argv: ["--secret", "s", "--secret-file", "f", "P"] },
    { name: "no payload file", argv: ["--secret", "s"] },
    { name: "two payload files", argv: ["--secret", "s", "P", "Q"] },
    { name: "an unknown option", argv: ["--secret", "s", "--algo", "sha1", "P"] },
    { name: "--id for github", argv: ["--secret", "s", "--id", "x", "P"] },
    {
      name: "--timestamp for bitbucket",
      argv: ["--scheme", "bitbucket", "--secret", "s", "--timestamp", "1", "P"],
    },
    { name: "hmac without --header", argv: ["--scheme", "hmac", "--secret", "s", "P"] },
    {
      name: "hmac with a bad algorithm",
      argv: ["--scheme", "hmac", "--header", "X-S", "--algorithm", "md5", "--secret", "s", "P"],
    },
    {
      name: "hmac with a bad encoding",
      argv: ["--scheme", "hmac", "--header", "X-S", "--encoding", "b32", "--secret", "s", "P"],
    },
    {
      name: "a timestamp in milliseconds with a fraction",
      argv: ["--scheme", "slack", "--timestamp", "1.5", "--secret", "s", "P"],
    },
    {
      name: "an id with a space",
      argv: ["--scheme", "standard-webhooks", "--id", "a b", "--secret", "s", "P"],
    },
  ])("exits 2 for $name, printing usage", async (c) => {
    const res = await sign(c.argv);
    expect(res.code).toBe(2);
    expect(res.out).toBe("");
    expect(res.err).toContain("usage: hookline sign");
  });

  it("exits 2 for a whsec_ secret that is not base64, without printing it", async () => {
    const payload = await file("bad-whsec.json", BODY);
    const res = await sign(["--scheme", "standard-webhooks", "--secret", "whsec_%%%%", payload]);
    expect(res.code).toBe(2);
    expect(res.err).toContain("not a valid whsec_");
    expect(res.err).not.toContain("%%%%");
  });

  it("exits 1 for a payload file that cannot be read", async () => {
    const res = await sign(["--secret", "s", join(dir, "absent.json")]);
    expect(res.code).toBe(1);
    expect(res.err).toContain("cannot read");
  });

  it("prints its usage for --help", async () => {
    const res = await sign(["--help"]);
    expect(res.code).toBe(0);
    expect(res.out).toContain("standard-webhooks");
    expect(res.out).toContain("curl -H @<(hookline sign");
  });
});
