import { createHmac } from "node:crypto";
import { describe, it, expect } from "vitest";
import { createBuiltinRegistry } from "../../src/interceptors/builtins.js";
import type { InterceptorRequest, ParamError } from "../../src/interceptors/public.js";
import { createCapturingLogger } from "../../test/support/capture-logs.js";
import {
  expectRejection,
  interceptorHarness,
  makeRequest,
  paramErrorOf,
  type HeaderRecord,
  type Rejection,
} from "../../test/support/interceptor-harness.js";
import { hmac } from "./index.js";

const SECRET = "hm-s3cr3t-value";
const NEW_SECRET = "hm-n3w-s3cr3t-value";
const REF = { secretName: "hook", secretKey: "secret" };
const NEW_REF = { secretName: "hook-next", secretKey: "secret" };
const MISSING_REF = { secretName: "nope", secretKey: "secret" };
const BODY = '{"event": "deploy", "service": "api"}';

const secretValues: Record<string, string> = {
  "default/hook/secret": SECRET,
  "default/hook-next/secret": NEW_SECRET,
};

const { makeCtx, run } = interceptorHarness(hmac, secretValues);

function request(body: string, header: HeaderRecord, rawBody?: string): InterceptorRequest {
  return makeRequest({ body, header, rawBody });
}

function digest(
  algo: string,
  encoding: "hex" | "base64" | "base64url",
  body: string,
  secret = SECRET,
): string {
  return createHmac(algo, secret).update(body).digest(encoding);
}

const PARAMS = { header: "X-Signature", secretRef: REF };
const GOOD = digest("sha256", "hex", BODY);

describe("hmac interceptor: accepted deliveries", () => {
  const cases: {
    name: string;
    params: Record<string, unknown>;
    header: Record<string, string[]>;
  }[] = [
    { name: "sha256 hex, the defaults", params: PARAMS, header: { "X-Signature": [GOOD] } },
    {
      name: "upper-case hex digits",
      params: PARAMS,
      header: { "X-Signature": [GOOD.toUpperCase()] },
    },
    {
      name: "a header name in another case",
      params: { ...PARAMS, header: "x-signature" },
      header: { "X-Signature": [GOOD] },
    },
    {
      name: "a prefix (sha256=)",
      params: { ...PARAMS, prefix: "sha256=" },
      header: { "X-Signature": [`sha256=${GOOD}`] },
    },
    {
      name: "sha1 base64",
      params: { ...PARAMS, algorithm: "sha1", encoding: "base64" },
      header: { "X-Signature": [digest("sha1", "base64", BODY)] },
    },
    {
      name: "sha512 base64 without padding (URL-safe)",
      params: { ...PARAMS, algorithm: "sha512", encoding: "base64" },
      header: { "X-Signature": [digest("sha512", "base64url", BODY)] },
    },
    {
      name: "secretRefs: the new key during a rotation",
      params: { header: "X-Signature", secretRefs: [REF, NEW_REF] },
      header: { "X-Signature": [digest("sha256", "hex", BODY, NEW_SECRET)] },
    },
    {
      name: "secretRefs: a missing secret is skipped when another matches",
      params: { header: "X-Signature", secretRefs: [MISSING_REF, REF] },
      header: { "X-Signature": [GOOD] },
    },
  ];
  it.each(cases)("$name", async (c) => {
    expect(await run(c.params, request(BODY, c.header))).toEqual({ continue: true });
  });

  it("verifies the raw body, not the chain's form-to-JSON conversion", async () => {
    const form = "a=1&b=2";
    const header = { "X-Signature": [digest("sha256", "hex", form)] };
    expect(await run(PARAMS, request('{"a":["1"],"b":["2"]}', header, form))).toEqual({
      continue: true,
    });
  });

  it("logs a skipped secret by name, never its value", async () => {
    const { log, logs } = createCapturingLogger();
    const { ctx, calls } = makeCtx({ log });
    const params = { header: "X-Signature", secretRefs: [MISSING_REF, REF] };
    expect(await run(params, request(BODY, { "X-Signature": [GOOD] }), ctx)).toEqual({
      continue: true,
    });
    expect(calls.map((c) => c.ns)).toEqual(["default", "default"]);
    expect(logs.text()).toContain("nope");
    expect(logs.text()).not.toContain(SECRET);
    expect(logs.text()).not.toContain(GOOD);
  });
});

interface RejectCase extends Rejection {
  params?: Record<string, unknown>;
}

const rejections: RejectCase[] = [
  {
    name: "no signature header",
    header: {},
    code: "INVALID_ARGUMENT",
    message: "no X-Signature header set",
    authFailure: true,
  },
  {
    name: "an empty signature header",
    header: { "X-Signature": [""] },
    code: "INVALID_ARGUMENT",
    message: "no X-Signature header set",
    authFailure: true,
  },
  {
    name: "the signature in another header",
    header: { "X-Hub-Signature-256": [`sha256=${GOOD}`] },
    code: "INVALID_ARGUMENT",
    message: "no X-Signature header set",
    authFailure: true,
  },
  {
    name: "a missing prefix",
    params: { ...PARAMS, prefix: "sha256=" },
    header: { "X-Signature": [GOOD] },
    code: "FAILED_PRECONDITION",
    message: 'X-Signature does not start with "sha256="',
    authFailure: true,
  },
  {
    name: "a prefix in another case",
    params: { ...PARAMS, prefix: "sha256=" },
    header: { "X-Signature": [`SHA256=${GOOD}`] },
    code: "FAILED_PRECONDITION",
    message: 'X-Signature does not start with "sha256="',
    authFailure: true,
  },
  {
    name: "a digest that is not hex",
    header: { "X-Signature": [`${GOOD.slice(0, -2)}zz`] },
    code: "FAILED_PRECONDITION",
    message: "error decoding signature: X-Signature is not hex",
    authFailure: true,
  },
  {
    name: "an odd number of hex digits",
    header: { "X-Signature": [GOOD.slice(0, -1)] },
    code: "FAILED_PRECONDITION",
    message: "error decoding signature: X-Signature is not hex",
    authFailure: true,
  },
  {
    name: "a digest that is not base64",
    params: { ...PARAMS, encoding: "base64" },
    header: { "X-Signature": ["not*base64!"] },
    code: "FAILED_PRECONDITION",
    message: "error decoding signature: X-Signature is not base64",
    authFailure: true,
  },
  {
    name: "a hex digest where base64 is expected (decodes to the wrong bytes)",
    params: { ...PARAMS, encoding: "base64" },
    header: { "X-Signature": [GOOD] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "a sha1 digest where sha256 is expected",
    header: { "X-Signature": [digest("sha1", "hex", BODY)] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "a signature made with another secret",
    header: { "X-Signature": [digest("sha256", "hex", BODY, "not-the-secret")] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "a body changed after signing",
    header: { "X-Signature": [GOOD] },
    body: `${BODY}\n`,
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "secretRefs: one missing, the other not matching",
    params: { header: "X-Signature", secretRefs: [MISSING_REF, NEW_REF] },
    header: { "X-Signature": [GOOD] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "a secret that cannot be found",
    params: { header: "X-Signature", secretRef: MISSING_REF },
    header: { "X-Signature": [GOOD] },
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find secret key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
    authFailure: false,
  },
  {
    name: "secretRefs: none can be found",
    params: {
      header: "X-Signature",
      secretRefs: [MISSING_REF, { secretName: "gone", secretKey: "k" }],
    },
    header: { "X-Signature": [GOOD] },
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find secret key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
    authFailure: false,
  },
  {
    name: "no header, before the secret lookup",
    params: { header: "X-Signature", secretRef: MISSING_REF },
    header: {},
    code: "INVALID_ARGUMENT",
    message: "no X-Signature header set",
    authFailure: true,
  },
];

describe("hmac interceptor: rejections", () => {
  it.each(rejections)("$name", async (c) => {
    const res = await run(c.params ?? PARAMS, request(c.body ?? BODY, c.header));
    const text = expectRejection(res, c);
    for (const secret of [SECRET, NEW_SECRET]) expect(text).not.toContain(secret);
    for (const values of Object.values(c.header))
      for (const v of values) if (v.length > 8) expect(text).not.toContain(v.slice(-16));
  });
});

describe("hmac interceptor: params", () => {
  function paramError(params: Record<string, unknown>): ParamError {
    return paramErrorOf((p) => hmac.parseParams(p), params);
  }

  it.each([
    {
      name: "the defaults",
      params: PARAMS,
      expected: {
        header: "X-Signature",
        algorithm: "sha256",
        encoding: "hex",
        prefix: "",
        secretRefs: [REF],
      },
    },
    {
      name: "everything, Go-style names",
      params: {
        Header: "X-Sig",
        Algorithm: "sha512",
        Encoding: "base64",
        Prefix: "v1=",
        SecretRef: REF,
        SecretRefs: [NEW_REF],
      },
      expected: {
        header: "X-Sig",
        algorithm: "sha512",
        encoding: "base64",
        prefix: "v1=",
        secretRefs: [REF, NEW_REF],
      },
    },
  ])("parses $name", ({ params, expected }) => {
    expect(hmac.parseParams(params)).toEqual(expected);
  });

  it.each([
    { name: "no header", params: { secretRef: REF }, field: "header" },
    { name: "a header name with a space", params: { ...PARAMS, header: "X Sig" }, field: "header" },
    { name: "no secret", params: { header: "X-Signature" }, field: "secretRef" },
    { name: "an unknown algorithm", params: { ...PARAMS, algorithm: "md5" }, field: "algorithm" },
    { name: "upper-case SHA256", params: { ...PARAMS, algorithm: "SHA256" }, field: "algorithm" },
    { name: "an unknown encoding", params: { ...PARAMS, encoding: "base32" }, field: "encoding" },
    { name: "a numeric prefix", params: { ...PARAMS, prefix: 1 }, field: "prefix" },
    {
      name: "an unknown param",
      params: { ...PARAMS, timestampHeader: "X-T" },
      field: "timestampHeader",
    },
    {
      name: "an empty secretName",
      params: { header: "X-Signature", secretRef: { secretName: "", secretKey: "k" } },
      field: "secretRef",
    },
    {
      name: "an empty secretRefs list",
      params: { header: "X-Signature", secretRefs: [] },
      field: "secretRefs",
    },
  ])("refuses $name with a ParamError naming $field", ({ params, field }) => {
    expect(paramError(params).field).toBe(field);
  });

  it("is a built-in interceptor", () => {
    expect(createBuiltinRegistry().get("hmac")).toBe(hmac);
  });
});
