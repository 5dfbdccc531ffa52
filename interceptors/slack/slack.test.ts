import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it, expect } from "vitest";
import { formBodyAsJSON } from "../../src/listener/prepare-body.js";
import type {
  InterceptorRequest,
  InterceptorResponse,
  ParamError,
} from "../../src/interceptors/public.js";
import {
  expectRejection,
  interceptorHarness,
  makeRequest,
  paramErrorOf,
  type HeaderRecord,
  type Rejection,
} from "../../test/support/interceptor-harness.js";
import { slack } from "./index.js";

const TOKEN = "EidhofDor5uIpqQ9RrtOVdnC"; // Slack's verification token, carried in the form
const SIGNING_REF = { secretName: "slack", secretKey: "signingSecret" };
const OTHER_REF = { secretName: "slack-old", secretKey: "signingSecret" };
const SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

/** Without a secretRef the slack interceptor reads no secrets: every lookup is refused. */
const { run } = interceptorHarness(slack);

function request(body: string | Buffer, header: HeaderRecord = {}): InterceptorRequest {
  return makeRequest({ body, header });
}

/** The body as the sink hands it on: the form as the JSON of `map[string][]string`. */
const FORM = {
  token: [TOKEN],
  command: ["/build"],
  text: ["main 2222"],
  channel_name: ["sample-app"],
  label: ["a", "b"],
};
const BODY = JSON.stringify(FORM);
const HEADERS = {
  "Content-Type": ["application/x-www-form-urlencoded"],
  "X-Slack-Signature": [SIGNATURE],
};
const MISSING_CT = "missing header in payload: ContentType application/x-www-form-urlencoded";

interface RejectCase extends Rejection {
  params: Record<string, unknown>;
}

const rejections: RejectCase[] = [
  {
    name: "a JSON Content-Type",
    params: { requestedFields: ["text"] },
    header: { ...HEADERS, "Content-Type": ["application/json"] },
    code: "INVALID_ARGUMENT",
    message: MISSING_CT,
    authFailure: false,
  },
  {
    name: "no Content-Type",
    params: { requestedFields: ["text"] },
    header: { "X-Slack-Signature": [SIGNATURE] },
    code: "INVALID_ARGUMENT",
    message: MISSING_CT,
    authFailure: false,
  },
  {
    name: "a form Content-Type with a charset (Tekton compares exactly)",
    params: { requestedFields: ["text"] },
    header: { ...HEADERS, "Content-Type": ["application/x-www-form-urlencoded; charset=utf-8"] },
    code: "INVALID_ARGUMENT",
    message: MISSING_CT,
    authFailure: false,
  },
  {
    name: "the Content-Type, before the signature",
    params: { requestedFields: ["text"] },
    header: { "Content-Type": ["application/json"] },
    code: "INVALID_ARGUMENT",
    message: MISSING_CT,
    authFailure: false,
  },
  {
    name: "no X-Slack-Signature (upstream's copy/paste message)",
    params: { requestedFields: ["text"] },
    header: { "Content-Type": ["application/x-www-form-urlencoded"] },
    code: "INVALID_ARGUMENT",
    message: MISSING_CT,
    authFailure: true,
  },
  {
    name: "an empty X-Slack-Signature",
    params: { requestedFields: ["text"] },
    header: { ...HEADERS, "X-Slack-Signature": [""] },
    code: "INVALID_ARGUMENT",
    message: MISSING_CT,
    authFailure: true,
  },
  {
    name: "a body that is not JSON (a form the sink did not convert: one key)",
    params: { requestedFields: ["token"] },
    header: HEADERS,
    body: `token=${TOKEN}`,
    code: "INVALID_ARGUMENT",
    message: "failed to unmarshl slack payload: body is not valid JSON",
    authFailure: false,
  },
  {
    name: "an empty body",
    params: { requestedFields: ["text"] },
    header: HEADERS,
    body: "",
    code: "INVALID_ARGUMENT",
    message: "failed to unmarshl slack payload: body is not a JSON object of string lists",
    authFailure: false,
  },
  {
    name: "a JSON array body",
    params: { requestedFields: ["text"] },
    header: HEADERS,
    body: '[["text"]]',
    code: "INVALID_ARGUMENT",
    message: "failed to unmarshl slack payload: body is not a JSON object of string lists",
    authFailure: false,
  },
  {
    name: "a JSON object whose values are not string lists",
    params: { requestedFields: ["text"] },
    header: HEADERS,
    body: '{"text": "main 2222"}',
    code: "INVALID_ARGUMENT",
    message: "failed to unmarshl slack payload: body is not a JSON object of string lists",
    authFailure: false,
  },
  {
    name: "a list holding a number",
    params: { requestedFields: ["text"] },
    header: HEADERS,
    body: '{"text": ["main", 2222]}',
    code: "INVALID_ARGUMENT",
    message: "failed to unmarshl slack payload: body is not a JSON object of string lists",
    authFailure: false,
  },
  {
    name: "no requestedFields param",
    params: {},
    header: HEADERS,
    code: "NOT_FOUND",
    message: "missing requested field definition",
    authFailure: false,
  },
  {
    name: "requestedFields: null",
    params: { requestedFields: null },
    header: HEADERS,
    code: "NOT_FOUND",
    message: "missing requested field definition",
    authFailure: false,
  },
  {
    name: "no requestedFields, after the Content-Type (Tekton's order)",
    params: {},
    header: { ...HEADERS, "Content-Type": ["application/json"] },
    code: "INVALID_ARGUMENT",
    message: MISSING_CT,
    authFailure: false,
  },
  {
    name: "no requestedFields, after the signature",
    params: {},
    header: { "Content-Type": ["application/x-www-form-urlencoded"] },
    code: "INVALID_ARGUMENT",
    message: MISSING_CT,
    authFailure: true,
  },
  {
    name: "no requestedFields, after the body",
    params: {},
    header: HEADERS,
    body: "not json",
    code: "INVALID_ARGUMENT",
    message: "failed to unmarshl slack payload: body is not valid JSON",
    authFailure: false,
  },
  {
    name: "a requested field missing from the form",
    params: { requestedFields: ["text", "user_id"] },
    header: HEADERS,
    code: "NOT_FOUND",
    message: "requested field does not exists in payload: user_id",
    authFailure: false,
  },
  {
    name: "a requested field that is an Object.prototype key",
    params: { requestedFields: ["constructor"] },
    header: HEADERS,
    code: "NOT_FOUND",
    message: "requested field does not exists in payload: constructor",
    authFailure: false,
  },
  {
    name: "field names are exact (Text is not text)",
    params: { requestedFields: ["Text"] },
    header: HEADERS,
    code: "NOT_FOUND",
    message: "requested field does not exists in payload: Text",
    authFailure: false,
  },
];

describe("slack interceptor: rejections", () => {
  it.each(rejections)("$name", async (c) => {
    const res = await run(c.params, request(c.body ?? BODY, c.header));
    const text = expectRejection(res, c);
    // Neither the form's token nor the signature header is ever echoed (Tekton prints the payload).
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SIGNATURE);
  });
});

describe("slack interceptor: extensions", () => {
  const cases: {
    name: string;
    params: Record<string, unknown>;
    header?: Record<string, string[]>;
    extensions: Record<string, unknown>;
  }[] = [
    {
      name: "one field, as a list",
      params: { requestedFields: ["text"] },
      extensions: { text: ["main 2222"] },
    },
    {
      name: "several fields",
      params: { requestedFields: ["text", "command", "channel_name"] },
      extensions: { text: ["main 2222"], command: ["/build"], channel_name: ["sample-app"] },
    },
    {
      name: "a repeated form key keeps every value",
      params: { requestedFields: ["label"] },
      extensions: { label: ["a", "b"] },
    },
    { name: "an empty requestedFields list", params: { requestedFields: [] }, extensions: {} },
    {
      name: "a field asked for twice",
      params: { requestedFields: ["text", "text"] },
      extensions: { text: ["main 2222"] },
    },
    {
      name: "any non-empty signature (Tekton does not verify it)",
      params: { requestedFields: ["command"] },
      header: { ...HEADERS, "X-Slack-Signature": ["not-a-signature"] },
      extensions: { command: ["/build"] },
    },
    {
      name: "Go-style param name RequestedFields",
      params: { RequestedFields: ["text"] },
      extensions: { text: ["main 2222"] },
    },
  ];
  it.each(cases)("$name", async (c) => {
    const res = await run(c.params, request(BODY, c.header ?? HEADERS));
    expect(res).toEqual({ continue: true, extensions: c.extensions });
  });

  const curl = fileURLToPath(
    new URL("../../../shared/tekton-examples/v1beta1/slack/curl.sh", import.meta.url),
  );
  it.skipIf(!existsSync(curl))(
    "Tekton's examples/v1beta1/slack/curl.sh, after the sink's form conversion",
    async () => {
      const script = readFileSync(curl, "utf8");
      const form = /-d '([^']*)'/.exec(script)?.[1] ?? "";
      const header = {
        "Content-Type": ["application/x-www-form-urlencoded"],
        "X-Slack-Signature": ["sha1=ba0cdc263b3492a74b601d240c27efe81c4720cb"],
      };
      const body = formBodyAsJSON(header, Buffer.from(form));
      expect(body).toBeDefined();
      const res = await run(
        { requestedFields: ["text", "command"] },
        request(body ?? Buffer.alloc(0), header),
      );
      expect(res).toEqual({
        continue: true,
        extensions: { text: ["main 2222"], command: ["/build"] },
      });
    },
  );
});

describe("slack interceptor: params", () => {
  function paramError(params: Record<string, unknown>): ParamError {
    return paramErrorOf((p) => slack.parseParams(p), params);
  }

  it.each([
    {
      name: "requestedFields",
      params: { requestedFields: ["text"] },
      expected: { requestedFields: ["text"] },
    },
    {
      name: "REQUESTEDFIELDS",
      params: { REQUESTEDFIELDS: ["a", "b"] },
      expected: { requestedFields: ["a", "b"] },
    },
    { name: "no params", params: {}, expected: {} },
    {
      name: "secretRef then secretRefs (hookline)",
      params: { secretRef: SIGNING_REF, SecretRefs: [OTHER_REF] },
      expected: { secretRefs: [SIGNING_REF, OTHER_REF] },
    },
  ])("parses $name", ({ params, expected }) => {
    expect(slack.parseParams(params)).toEqual(expected);
  });

  it.each([
    { name: "an unknown param", params: { requestedField: ["text"] }, field: "requestedField" },
    { name: "a string", params: { requestedFields: "text" }, field: "requestedFields" },
    {
      name: "a list with a number",
      params: { requestedFields: ["text", 1] },
      field: "requestedFields",
    },
    { name: "an object", params: { requestedFields: { text: true } }, field: "requestedFields" },
    {
      name: "a secretRef without a key",
      params: { secretRef: { secretName: "slack" } },
      field: "secretRef",
    },
    { name: "an empty secretRefs list", params: { secretRefs: [] }, field: "secretRefs" },
    {
      name: "a secretRefs entry that is a string",
      params: { secretRefs: ["slack"] },
      field: "secretRefs[0]",
    },
  ])("refuses $name with a ParamError naming $field", ({ params, field }) => {
    const err = paramError(params);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
  });
});

// Slack's worked example (https://api.slack.com/authentication/verifying-requests-from-slack).
const SLACK_EXAMPLE = {
  secret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: SIGNATURE,
};
const OTHER_SECRET = "an-older-slack-signing-secret";
const SIGNED_AT = new Date(Number(SLACK_EXAMPLE.timestamp) * 1000);
const MISSING_SIGNING_REF = { secretName: "nope", secretKey: "signingSecret" };

const signing = interceptorHarness(
  slack,
  {
    "default/slack/signingSecret": SLACK_EXAMPLE.secret,
    "default/slack-old/signingSecret": OTHER_SECRET,
  },
  { receivedAt: SIGNED_AT },
);

const SIGNED_HEADERS = {
  "Content-Type": ["application/x-www-form-urlencoded"],
  "X-Slack-Request-Timestamp": [SLACK_EXAMPLE.timestamp],
  "X-Slack-Signature": [SLACK_EXAMPLE.signature],
};

/** The request as the chain hands it on: `body` converted to JSON, `rawBody` the form as sent. */
function signedRequest(
  form: string = SLACK_EXAMPLE.body,
  header: HeaderRecord = SIGNED_HEADERS,
  withRaw = true,
): InterceptorRequest {
  const json = formBodyAsJSON(header, Buffer.from(form)) ?? Buffer.from(form);
  return makeRequest({ body: json, header, rawBody: withRaw ? form : undefined });
}

function slackSign(form: string, timestamp: string, secret = SLACK_EXAMPLE.secret): string {
  const hex = createHmac("sha256", secret).update(`v0:${timestamp}:${form}`).digest("hex");
  return `v0=${hex}`;
}

async function runSigned(
  params: Record<string, unknown>,
  req: InterceptorRequest,
  receivedAt?: Date,
): Promise<InterceptorResponse> {
  return signing.run(params, req, signing.makeCtx({ receivedAt }).ctx);
}

describe("slack interceptor: signature verification (hookline, with secretRef)", () => {
  it("accepts Slack's worked example, verified over the raw form", async () => {
    const res = await runSigned(
      { requestedFields: ["command"], secretRef: SIGNING_REF },
      signedRequest(),
    );
    expect(res).toEqual({ continue: true, extensions: { command: ["/webhook-collect"] } });
  });

  const accepted: { name: string; params: Record<string, unknown>; receivedAt?: Date }[] = [
    {
      name: "secretRefs: the second secret matches (rotation)",
      params: { requestedFields: ["command"], secretRefs: [OTHER_REF, SIGNING_REF] },
    },
    {
      name: "secretRefs: a missing secret is skipped when another matches",
      params: { requestedFields: ["command"], secretRefs: [MISSING_SIGNING_REF, SIGNING_REF] },
    },
    {
      name: "received 5 minutes after signing (the edge of the window)",
      params: { requestedFields: ["command"], secretRef: SIGNING_REF },
      receivedAt: new Date(SIGNED_AT.getTime() + 300_000),
    },
    {
      name: "received 5 minutes before signing (clock skew)",
      params: { requestedFields: ["command"], secretRef: SIGNING_REF },
      receivedAt: new Date(SIGNED_AT.getTime() - 300_000),
    },
  ];
  it.each(accepted)("accepts $name", async (c) => {
    const res = await runSigned(c.params, signedRequest(), c.receivedAt);
    expect(res).toEqual({ continue: true, extensions: { command: ["/webhook-collect"] } });
  });

  const OLD = String(Number(SLACK_EXAMPLE.timestamp) - 301);
  const cases: (Omit<RejectCase, "params" | "header"> & {
    params?: Record<string, unknown>;
    header?: Record<string, string[]>;
    form?: string;
    withRaw?: boolean;
    receivedAt?: Date;
  })[] = [
    {
      name: "no X-Slack-Request-Timestamp",
      header: { ...SIGNED_HEADERS, "X-Slack-Request-Timestamp": [] },
      code: "INVALID_ARGUMENT",
      message: "no X-Slack-Request-Timestamp header set",
      authFailure: true,
    },
    {
      name: "an empty X-Slack-Request-Timestamp",
      header: { ...SIGNED_HEADERS, "X-Slack-Request-Timestamp": [""] },
      code: "INVALID_ARGUMENT",
      message: "no X-Slack-Request-Timestamp header set",
      authFailure: true,
    },
    {
      name: "an X-Slack-Request-Timestamp that is not a number",
      header: { ...SIGNED_HEADERS, "X-Slack-Request-Timestamp": ["now"] },
      code: "INVALID_ARGUMENT",
      message: "X-Slack-Request-Timestamp is not a Unix time in seconds",
      authFailure: true,
    },
    {
      name: "a replay: received 301 s after signing",
      receivedAt: new Date(SIGNED_AT.getTime() + 301_000),
      code: "FAILED_PRECONDITION",
      message:
        "X-Slack-Request-Timestamp is too old (more than 5 minutes from when the event was received)",
      authFailure: true,
    },
    {
      name: "an old timestamp, re-signed (still a replay)",
      header: {
        ...SIGNED_HEADERS,
        "X-Slack-Request-Timestamp": [OLD],
        "X-Slack-Signature": [slackSign(SLACK_EXAMPLE.body, OLD)],
      },
      code: "FAILED_PRECONDITION",
      message:
        "X-Slack-Request-Timestamp is too old (more than 5 minutes from when the event was received)",
      authFailure: true,
    },
    {
      name: "a timestamp 301 s in the future",
      receivedAt: new Date(SIGNED_AT.getTime() - 301_000),
      code: "FAILED_PRECONDITION",
      message:
        "X-Slack-Request-Timestamp is too new (more than 5 minutes from when the event was received)",
      authFailure: true,
    },
    {
      name: "a signature made with another secret",
      header: {
        ...SIGNED_HEADERS,
        "X-Slack-Signature": [slackSign(SLACK_EXAMPLE.body, SLACK_EXAMPLE.timestamp, "wrong")],
      },
      code: "FAILED_PRECONDITION",
      message: "X-Slack-Signature check failed",
      authFailure: true,
    },
    {
      name: "a signature in another format (Tekton's example sha1=…)",
      header: {
        ...SIGNED_HEADERS,
        "X-Slack-Signature": ["sha1=ba0cdc263b3492a74b601d240c27efe81c4720cb"],
      },
      code: "FAILED_PRECONDITION",
      message: "X-Slack-Signature check failed",
      authFailure: true,
    },
    {
      name: "another timestamp than was signed",
      header: {
        ...SIGNED_HEADERS,
        "X-Slack-Request-Timestamp": [String(Number(SLACK_EXAMPLE.timestamp) + 1)],
      },
      code: "FAILED_PRECONDITION",
      message: "X-Slack-Signature check failed",
      authFailure: true,
    },
    {
      name: "a form changed after signing",
      form: SLACK_EXAMPLE.body.replace("foobar", "foobaz"),
      code: "FAILED_PRECONDITION",
      message: "X-Slack-Signature check failed",
      authFailure: true,
    },
    {
      name: "no raw body: the converted JSON is not what Slack signed",
      withRaw: false,
      code: "FAILED_PRECONDITION",
      message: "X-Slack-Signature check failed",
      authFailure: true,
    },
    {
      name: "a bad signature, before the body is read",
      form: "not-a-form",
      header: { ...SIGNED_HEADERS, "X-Slack-Signature": ["v0=00"] },
      code: "FAILED_PRECONDITION",
      message: "X-Slack-Signature check failed",
      authFailure: true,
    },
    {
      name: "secretRefs: one missing, the other not matching",
      params: { requestedFields: ["command"], secretRefs: [MISSING_SIGNING_REF, OTHER_REF] },
      code: "FAILED_PRECONDITION",
      message: "X-Slack-Signature check failed",
      authFailure: true,
    },
    {
      name: "a signing secret that cannot be found",
      params: { requestedFields: ["command"], secretRef: MISSING_SIGNING_REF },
      code: "FAILED_PRECONDITION",
      message: "error getting secret: cannot find signingSecret key in secret default/nope",
      failure: "HL_SECRET_NOT_FOUND",
      authFailure: false,
    },
    {
      name: "the Content-Type, before the signature (Tekton's order)",
      header: { ...SIGNED_HEADERS, "Content-Type": ["application/json"] },
      code: "INVALID_ARGUMENT",
      message: MISSING_CT,
      authFailure: false,
    },
    {
      name: "no X-Slack-Signature, with a secret (Tekton's message)",
      header: { ...SIGNED_HEADERS, "X-Slack-Signature": [] },
      code: "INVALID_ARGUMENT",
      message: MISSING_CT,
      authFailure: true,
    },
    {
      name: "a verified request still needs requestedFields (Tekton)",
      params: { secretRef: SIGNING_REF },
      code: "NOT_FOUND",
      message: "missing requested field definition",
      authFailure: false,
    },
  ];
  it.each(cases)("rejects $name", async (c) => {
    const header = c.header ?? SIGNED_HEADERS;
    const res = await runSigned(
      c.params ?? { requestedFields: ["command"], secretRef: SIGNING_REF },
      signedRequest(c.form, header, c.withRaw ?? true),
      c.receivedAt,
    );
    const text = expectRejection(res, c);
    for (const secret of [SLACK_EXAMPLE.secret, OTHER_SECRET, "xyzz0WbapA4vBCDEFasx0q6G"])
      expect(text).not.toContain(secret);
    for (const sig of header["X-Slack-Signature"] ?? [])
      if (sig.length > 5) expect(text).not.toContain(sig.slice(3));
  });
});
