import { Webhook } from "standardwebhooks";
import { describe, it, expect } from "vitest";
import { createBuiltinRegistry } from "../../src/interceptors/builtins.js";
import type { InterceptorRequest, ParamError } from "../../src/interceptors/public.js";
import {
  expectRejection,
  interceptorHarness,
  makeRequest,
  paramErrorOf,
  type HeaderRecord,
  type Rejection,
} from "../../test/support/interceptor-harness.js";
import { createCapturingLogger } from "../../test/support/capture-logs.js";
import { standardWebhooks } from "./index.js";
import { signStandardWebhook, standardWebhookKey } from "./sign.js";

// The Standard Webhooks specification's published test vector (spec/standard-webhooks.md, and the
// reference libraries' tests).
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: "1614265330",
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const RECEIVED_AT = new Date(Number(VECTOR.timestamp) * 1000);

const RAW_SECRET = "a-raw-signing-secret-without-prefix";
const OTHER_SECRET = "whsec_c2VjcmV0LW9mLWFub3RoZXItZW5kcG9pbnQ=";

const REF = { secretName: "gitlab-signing", secretKey: "token" };
const RAW_REF = { secretName: "raw", secretKey: "token" };
const OTHER_REF = { secretName: "other", secretKey: "token" };
const BAD_REF = { secretName: "bad", secretKey: "token" };
const MISSING_REF = { secretName: "nope", secretKey: "token" };

const secretValues: Record<string, string> = {
  "default/gitlab-signing/token": VECTOR.secret,
  "default/raw/token": RAW_SECRET,
  "default/other/token": OTHER_SECRET,
  "default/bad/token": "whsec_not base64!",
};

const { makeCtx, run } = interceptorHarness(standardWebhooks, secretValues, {
  receivedAt: RECEIVED_AT,
});

function request(body: string, header: HeaderRecord, rawBody?: string): InterceptorRequest {
  return makeRequest({ body, header, rawBody });
}

const HEADERS = {
  "Webhook-Id": [VECTOR.id],
  "Webhook-Timestamp": [VECTOR.timestamp],
  "Webhook-Signature": [VECTOR.signature],
};

/** A v1 signature of the vector's id and timestamp over `body`, with `secret`. */
function v1(body: string, secret: string = VECTOR.secret, timestamp = VECTOR.timestamp): string {
  const key = standardWebhookKey(Buffer.from(secret));
  if (key === undefined) throw new Error("test bug: unusable secret");
  return `v1,${signStandardWebhook(key, VECTOR.id, timestamp, body)}`;
}

describe("standard-webhooks interceptor: the specification's test vector", () => {
  it("signs it as published", () => {
    expect(v1(VECTOR.body)).toBe(VECTOR.signature);
    // And the reference library agrees.
    expect(new Webhook(VECTOR.secret).sign(VECTOR.id, RECEIVED_AT, VECTOR.body)).toBe(
      VECTOR.signature,
    );
  });

  it("accepts it", async () => {
    expect(await run({ secretRef: REF }, request(VECTOR.body, HEADERS))).toEqual({
      continue: true,
    });
  });

  it("rejects it replayed six minutes later", async () => {
    const later = new Date(RECEIVED_AT.getTime() + 6 * 60 * 1000);
    expect(
      await run(
        { secretRef: REF },
        request(VECTOR.body, HEADERS),
        makeCtx({ receivedAt: later }).ctx,
      ),
    ).toEqual({
      continue: false,
      status: {
        code: "FAILED_PRECONDITION",
        message: "webhook-timestamp is too old (more than 300 s from when the event was received)",
      },
      authFailure: true,
    });
  });
});

describe("standard-webhooks interceptor: deliveries signed by the reference library", () => {
  const now = new Date("2025-06-01T12:00:00Z");
  const body = '{"object_kind":"push","ref":"refs/heads/main"}';

  function signed(secret: string, at: Date = now): Record<string, string[]> {
    const signature = new Webhook(secret).sign("msg_2xyz", at, body);
    return {
      "Webhook-Id": ["msg_2xyz"],
      "Webhook-Timestamp": [String(Math.floor(at.getTime() / 1000))],
      "Webhook-Signature": [signature],
    };
  }

  it("accepts a fresh delivery", async () => {
    const res = await run(
      { secretRef: REF },
      request(body, signed(VECTOR.secret)),
      makeCtx({ receivedAt: now }).ctx,
    );
    expect(res).toEqual({ continue: true });
  });

  it("accepts a raw (unprefixed) secret, used as bytes", async () => {
    // The reference library base64-decodes an unprefixed secret unless told `format: "raw"`;
    // hookline uses it as bytes.
    const header = {
      ...signed(VECTOR.secret),
      "Webhook-Signature": [new Webhook(RAW_SECRET, { format: "raw" }).sign("msg_2xyz", now, body)],
    };
    const res = await run(
      { secretRef: RAW_REF },
      request(body, header),
      makeCtx({ receivedAt: now }).ctx,
    );
    expect(res).toEqual({ continue: true });
  });

  const windows: { name: string; offsetSeconds: number; ok: boolean; tolerance?: number }[] = [
    { name: "signed 300 s before receipt (the edge)", offsetSeconds: -300, ok: true },
    { name: "signed 301 s before receipt (a replay)", offsetSeconds: -301, ok: false },
    { name: "signed 300 s after receipt (clock skew)", offsetSeconds: 300, ok: true },
    { name: "signed 301 s after receipt", offsetSeconds: 301, ok: false },
    { name: "an hour old with tolerance 3600", offsetSeconds: -3600, ok: true, tolerance: 3600 },
    { name: "a second old with tolerance 0", offsetSeconds: -1, ok: false, tolerance: 0 },
  ];
  it.each(windows)("$name", async (c) => {
    const at = new Date(now.getTime() + c.offsetSeconds * 1000);
    const params = {
      secretRef: REF,
      ...(c.tolerance === undefined ? {} : { tolerance: c.tolerance }),
    };
    const res = await run(
      params,
      request(body, signed(VECTOR.secret, at)),
      makeCtx({ receivedAt: now }).ctx,
    );
    expect(res.continue).toBe(c.ok);
  });

  it("measures the window from receivedAt, not the clock", async () => {
    const long = new Date("2001-01-01T00:00:00Z");
    const res = await run(
      { secretRef: REF },
      request(body, signed(VECTOR.secret, long)),
      makeCtx({ receivedAt: long }).ctx,
    );
    expect(res).toEqual({ continue: true });
  });
});

describe("standard-webhooks interceptor: several signatures and keys", () => {
  const cases: {
    name: string;
    params: Record<string, unknown>;
    signature: string;
  }[] = [
    {
      name: "the good signature after a wrong one",
      params: { secretRef: REF },
      signature: `${v1(VECTOR.body, OTHER_SECRET)} ${VECTOR.signature}`,
    },
    {
      name: "the good signature after an asymmetric v1a one (skipped)",
      params: { secretRef: REF },
      signature: `v1a,c2lnbmF0dXJl ${VECTOR.signature}`,
    },
    {
      name: "the good signature first",
      params: { secretRef: REF },
      signature: `${VECTOR.signature} ${v1(VECTOR.body, OTHER_SECRET)}`,
    },
    {
      name: "secretRefs: the second key matches",
      params: { secretRefs: [OTHER_REF, REF] },
      signature: VECTOR.signature,
    },
    {
      name: "secretRef and secretRefs together: a secretRefs key matches",
      params: { secretRef: OTHER_REF, secretRefs: [REF] },
      signature: VECTOR.signature,
    },
    {
      name: "secretRefs: a missing secret is skipped when another matches",
      params: { secretRefs: [MISSING_REF, REF] },
      signature: VECTOR.signature,
    },
    {
      name: "secretRefs: a secret that is not a usable key is skipped when another matches",
      params: { secretRefs: [BAD_REF, REF] },
      signature: VECTOR.signature,
    },
  ];
  it.each(cases)("accepts $name", async (c) => {
    const res = await run(
      c.params,
      request(VECTOR.body, { ...HEADERS, "Webhook-Signature": [c.signature] }),
    );
    expect(res).toEqual({ continue: true });
  });

  it("names a whsec_ secret that is not base64 in its warning (name and key, never the value)", async () => {
    for (const params of [{ secretRefs: [BAD_REF, REF] }, { secretRef: BAD_REF }]) {
      const { log, logs } = createCapturingLogger();
      await run(params, request(VECTOR.body, HEADERS), makeCtx({ log }).ctx);
      const warnings = logs.entries.filter((e) => e["level"] === "warn");
      expect(warnings, JSON.stringify(params)).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ secretName: "bad", secretKey: "token" });
      expect(String(warnings[0]?.["message"])).toMatch(/not a usable key/);
      expect(logs.text()).not.toContain("not base64!");
    }
  });

  it("reads every secret from the trigger's namespace", async () => {
    const { ctx, calls } = makeCtx();
    await run({ secretRefs: [OTHER_REF, REF] }, request(VECTOR.body, HEADERS), ctx);
    expect(calls).toEqual([
      { ref: OTHER_REF, ns: "default" },
      { ref: REF, ns: "default" },
    ]);
  });

  it("verifies the raw body, not the chain's form-to-JSON conversion", async () => {
    const form = "a=1&b=2";
    const header = { ...HEADERS, "Webhook-Signature": [v1(form)] };
    expect(await run({ secretRef: REF }, request('{"a":["1"],"b":["2"]}', header, form))).toEqual({
      continue: true,
    });
  });
});

interface RejectCase extends Rejection {
  params?: Record<string, unknown>;
}

const { "Webhook-Id": _id, ...NO_ID } = HEADERS;
const { "Webhook-Timestamp": _ts, ...NO_TS } = HEADERS;
const { "Webhook-Signature": _sig, ...NO_SIG } = HEADERS;
const OLD = String(Number(VECTOR.timestamp) - 301);
const NEW = String(Number(VECTOR.timestamp) + 301);

const rejections: RejectCase[] = [
  {
    name: "no webhook-id",
    header: NO_ID,
    code: "INVALID_ARGUMENT",
    message: "no webhook-id header set",
    authFailure: true,
  },
  {
    name: "no webhook-timestamp",
    header: NO_TS,
    code: "INVALID_ARGUMENT",
    message: "no webhook-timestamp header set",
    authFailure: true,
  },
  {
    name: "no webhook-signature",
    header: NO_SIG,
    code: "INVALID_ARGUMENT",
    message: "no webhook-signature header set",
    authFailure: true,
  },
  {
    name: "an empty webhook-signature",
    header: { ...HEADERS, "Webhook-Signature": [""] },
    code: "INVALID_ARGUMENT",
    message: "no webhook-signature header set",
    authFailure: true,
  },
  {
    name: "a timestamp that is not a number",
    header: { ...HEADERS, "Webhook-Timestamp": ["yesterday"] },
    code: "INVALID_ARGUMENT",
    message: "webhook-timestamp is not a Unix time in seconds",
    authFailure: true,
  },
  {
    name: "a timestamp in milliseconds with a fraction",
    header: { ...HEADERS, "Webhook-Timestamp": [`${VECTOR.timestamp}.5`] },
    code: "INVALID_ARGUMENT",
    message: "webhook-timestamp is not a Unix time in seconds",
    authFailure: true,
  },
  {
    name: "a replayed delivery (timestamp 301 s before receipt, re-signed)",
    header: {
      ...HEADERS,
      "Webhook-Timestamp": [OLD],
      "Webhook-Signature": [v1(VECTOR.body, VECTOR.secret, OLD)],
    },
    code: "FAILED_PRECONDITION",
    message: "webhook-timestamp is too old (more than 300 s from when the event was received)",
    authFailure: true,
  },
  {
    name: "a timestamp 301 s in the future",
    header: {
      ...HEADERS,
      "Webhook-Timestamp": [NEW],
      "Webhook-Signature": [v1(VECTOR.body, VECTOR.secret, NEW)],
    },
    code: "FAILED_PRECONDITION",
    message: "webhook-timestamp is too new (more than 300 s from when the event was received)",
    authFailure: true,
  },
  {
    name: "a window of 60 s (tolerance param)",
    params: { secretRef: REF, tolerance: 60 },
    header: {
      ...HEADERS,
      "Webhook-Timestamp": [String(Number(VECTOR.timestamp) - 61)],
    },
    code: "FAILED_PRECONDITION",
    message: "webhook-timestamp is too old (more than 60 s from when the event was received)",
    authFailure: true,
  },
  {
    name: "only a v1a (asymmetric) signature",
    header: { ...HEADERS, "Webhook-Signature": ["v1a,c2lnbmF0dXJl"] },
    code: "FAILED_PRECONDITION",
    message: "webhook-signature has no v1 signature",
    authFailure: true,
  },
  {
    name: "a signature without its version",
    header: { ...HEADERS, "Webhook-Signature": [VECTOR.signature.slice(3)] },
    code: "FAILED_PRECONDITION",
    message: "webhook-signature has no v1 signature",
    authFailure: true,
  },
  {
    name: "a signature made with another secret",
    header: { ...HEADERS, "Webhook-Signature": [v1(VECTOR.body, OTHER_SECRET)] },
    code: "FAILED_PRECONDITION",
    message: "no matching signature found",
    authFailure: true,
  },
  {
    name: "a body changed after signing",
    header: HEADERS,
    body: '{"test": 2432232315}',
    code: "FAILED_PRECONDITION",
    message: "no matching signature found",
    authFailure: true,
  },
  {
    name: "another webhook-id than was signed",
    header: { ...HEADERS, "Webhook-Id": ["msg_other"] },
    code: "FAILED_PRECONDITION",
    message: "no matching signature found",
    authFailure: true,
  },
  {
    name: "a whsec_ secret given raw to the signer (base64 text as the key)",
    header: {
      ...HEADERS,
      "Webhook-Signature": [
        `v1,${signStandardWebhook(Buffer.from(VECTOR.secret), VECTOR.id, VECTOR.timestamp, VECTOR.body)}`,
      ],
    },
    code: "FAILED_PRECONDITION",
    message: "no matching signature found",
    authFailure: true,
  },
  {
    name: "several signatures, none matching",
    header: {
      ...HEADERS,
      "Webhook-Signature": [`${v1(VECTOR.body, OTHER_SECRET)} ${v1(VECTOR.body, RAW_SECRET)}`],
    },
    code: "FAILED_PRECONDITION",
    message: "no matching signature found",
    authFailure: true,
  },
  {
    name: "secretRefs: one secret missing, the other not matching",
    params: { secretRefs: [MISSING_REF, OTHER_REF] },
    header: HEADERS,
    code: "FAILED_PRECONDITION",
    message: "no matching signature found",
    authFailure: true,
  },
  {
    name: "a secret that cannot be found",
    params: { secretRef: MISSING_REF },
    header: HEADERS,
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find token key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
    authFailure: false,
  },
  {
    name: "secretRefs: none can be found (the first one's error)",
    params: { secretRefs: [MISSING_REF, { secretName: "gone", secretKey: "k" }] },
    header: HEADERS,
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find token key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
    authFailure: false,
  },
  {
    name: "a whsec_ secret that is not base64",
    params: { secretRef: BAD_REF },
    header: HEADERS,
    code: "FAILED_PRECONDITION",
    message:
      "error getting secret: the secret is not a usable key (whsec_ must be followed by base64)",
    authFailure: false,
  },
  {
    name: "missing headers, before the secret lookup",
    params: { secretRef: MISSING_REF },
    header: NO_SIG,
    code: "INVALID_ARGUMENT",
    message: "no webhook-signature header set",
    authFailure: true,
  },
  {
    name: "a replay, before the secret lookup",
    params: { secretRef: MISSING_REF },
    header: { ...HEADERS, "Webhook-Timestamp": [OLD] },
    code: "FAILED_PRECONDITION",
    message: "webhook-timestamp is too old (more than 300 s from when the event was received)",
    authFailure: true,
  },
];

describe("standard-webhooks interceptor: rejections", () => {
  it.each(rejections)("$name", async (c) => {
    const res = await run(c.params ?? { secretRef: REF }, request(c.body ?? VECTOR.body, c.header));
    const text = expectRejection(res, c);
    // No secret, key or signature value is ever echoed.
    for (const secret of [VECTOR.secret, RAW_SECRET, OTHER_SECRET, "not base64"]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.replace("whsec_", ""));
    }
    for (const sig of (c.header["Webhook-Signature"]?.[0] ?? "").split(" ")) {
      if (sig.length > 3) expect(text).not.toContain(sig.slice(3));
    }
  });
});

describe("standard-webhooks interceptor: params", () => {
  function paramError(params: Record<string, unknown>): ParamError {
    return paramErrorOf((p) => standardWebhooks.parseParams(p), params);
  }

  it.each([
    {
      name: "secretRef",
      params: { secretRef: REF },
      expected: { secretRefs: [REF], tolerance: 300 },
    },
    {
      name: "secretRef then secretRefs, and a tolerance",
      params: { secretRef: REF, secretRefs: [OTHER_REF], tolerance: 60 },
      expected: { secretRefs: [REF, OTHER_REF], tolerance: 60 },
    },
    {
      name: "Go-style names and a tolerance string",
      params: { SecretRefs: [REF], Tolerance: "600" },
      expected: { secretRefs: [REF], tolerance: 600 },
    },
  ])("parses $name", ({ params, expected }) => {
    expect(standardWebhooks.parseParams(params)).toEqual(expected);
  });

  it.each([
    { name: "no secret at all", params: {}, field: "secretRef" },
    { name: "an unknown param", params: { secretRef: REF, window: 5 }, field: "window" },
    { name: "an empty secretKey", params: { secretRef: { secretName: "s" } }, field: "secretRef" },
    { name: "an empty secretRefs list", params: { secretRefs: [] }, field: "secretRefs" },
    { name: "secretRefs not a list", params: { secretRefs: REF }, field: "secretRefs" },
    {
      name: "a secretRefs entry without a key",
      params: { secretRefs: [REF, { secretName: "x" }] },
      field: "secretRefs[1]",
    },
    { name: "a negative tolerance", params: { secretRef: REF, tolerance: -1 }, field: "tolerance" },
    {
      name: "a fractional tolerance",
      params: { secretRef: REF, tolerance: 1.5 },
      field: "tolerance",
    },
    {
      name: "a tolerance with a unit",
      params: { secretRef: REF, tolerance: "5m" },
      field: "tolerance",
    },
  ])("refuses $name with a ParamError naming $field", ({ params, field }) => {
    expect(paramError(params).field).toBe(field);
  });

  it("is a built-in interceptor", () => {
    expect(createBuiltinRegistry().get("standard-webhooks")).toBe(standardWebhooks);
  });
});
