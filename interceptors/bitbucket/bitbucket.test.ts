import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it, expect } from "vitest";
import type { InterceptorRequest, ParamError } from "../../src/interceptors/public.js";
import {
  expectRejection,
  interceptorHarness,
  makeRequest,
  paramErrorOf,
  type HeaderRecord,
  type Rejection,
} from "../../test/support/interceptor-harness.js";
import { bitbucket } from "./index.js";

const SECRET = "bb-s3cr3t-value";
const NEW_SECRET = "bb-n3w-s3cr3t-value";
const REF = { secretName: "bitbucket-secret", secretKey: "secretToken" };
const NEW_REF = { secretName: "bitbucket-secret-next", secretKey: "secretToken" };
const MISSING_REF = { secretName: "nope", secretKey: "secretToken" };
const BODY = '{"eventKey": "repo:refs_changed", "changes": [{"ref": {"displayId": "main"}}]}';

const secretValues: Record<string, string> = {
  "default/bitbucket-secret/secretToken": SECRET,
  "default/bitbucket-secret-next/secretToken": NEW_SECRET,
  "default/example/secretToken": "1234567",
};

const { makeCtx, run } = interceptorHarness(bitbucket, secretValues);

function request(body: string, header: HeaderRecord = {}): InterceptorRequest {
  return makeRequest({ body, header });
}

function sign(algo: string, body: string, secret: string): string {
  return `${algo}=${createHmac(algo, secret).update(body).digest("hex")}`;
}

const GOOD_SIG = sign("sha1", BODY, SECRET);
const EVENT = { "X-Event-Key": ["repo:refs_changed"] };

interface RejectCase extends Rejection {
  params: Record<string, unknown>;
}

const rejections: RejectCase[] = [
  {
    name: "an event type not in the list",
    params: { eventTypes: ["repo:refs_changed", "repo:push"] },
    header: { "X-Event-Key": ["pullrequest:created"] },
    code: "FAILED_PRECONDITION",
    message: "event type pullrequest:created is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "no X-Event-Key header",
    params: { eventTypes: ["repo:push"] },
    header: {},
    code: "FAILED_PRECONDITION",
    message: "event type  is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "eventTypes, before a bad signature",
    params: { eventTypes: ["repo:push"], secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": ["sha1=00"] },
    code: "FAILED_PRECONDITION",
    message: "event type repo:refs_changed is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "an empty secretKey",
    params: { secretRef: { secretName: "bitbucket-secret", secretKey: "" } },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG] },
    code: "FAILED_PRECONDITION",
    message: "bitbucket interceptor secretRef.secretKey is empty",
    authFailure: false,
  },
  {
    name: "an empty secretKey, before the header check",
    params: { secretRef: { secretName: "bitbucket-secret" } },
    header: EVENT,
    code: "FAILED_PRECONDITION",
    message: "bitbucket interceptor secretRef.secretKey is empty",
    authFailure: false,
  },
  {
    name: "no X-Hub-Signature header",
    params: { secretRef: REF },
    header: EVENT,
    code: "INVALID_ARGUMENT",
    message: "no X-Hub-Signature header set",
    authFailure: true,
  },
  {
    name: 'an empty X-Hub-Signature header (Go\'s Header.Get gives the same "")',
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": [""] },
    code: "INVALID_ARGUMENT",
    message: "no X-Hub-Signature header set",
    authFailure: true,
  },
  {
    name: "only X-Hub-Signature-256 (bitbucket reads X-Hub-Signature)",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature-256": [sign("sha256", BODY, SECRET)] },
    code: "INVALID_ARGUMENT",
    message: "no X-Hub-Signature header set",
    authFailure: true,
  },
  {
    name: "no signature header, before the secret lookup",
    params: { secretRef: MISSING_REF },
    header: EVENT,
    code: "INVALID_ARGUMENT",
    message: "no X-Hub-Signature header set",
    authFailure: true,
  },
  {
    name: "a secret that cannot be found",
    params: { secretRef: MISSING_REF },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG] },
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find secretToken key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
    authFailure: false,
  },
  {
    name: "a signature without '='",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG.slice(5)] },
    code: "FAILED_PRECONDITION",
    message: "error validating signature: error parsing signature",
    authFailure: true,
  },
  {
    name: "an unknown algorithm",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": ["md5=0123456789abcdef0123456789abcdef"] },
    code: "FAILED_PRECONDITION",
    message: 'error validating signature: unknown hash type prefix: "md5"',
    authFailure: true,
  },
  {
    name: "an Object.prototype key as the algorithm",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": ["constructor=00"] },
    code: "FAILED_PRECONDITION",
    message: 'error validating signature: unknown hash type prefix: "constructor"',
    authFailure: true,
  },
  {
    name: "a signature that is not hex",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG.slice(0, -2) + "xy"] },
    code: "FAILED_PRECONDITION",
    message: "error validating signature: error decoding signature: encoding/hex: invalid byte",
    authFailure: true,
  },
  {
    name: "a signature with an odd number of hex digits",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG.slice(0, -1)] },
    code: "FAILED_PRECONDITION",
    message:
      "error validating signature: error decoding signature: encoding/hex: odd length hex string",
    authFailure: true,
  },
  {
    name: "a hex signature of the wrong length",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG.slice(0, -2)] },
    code: "FAILED_PRECONDITION",
    message: "error validating signature: payload signature check failed",
    authFailure: true,
  },
  {
    name: "a sha1 digest under a sha256 prefix",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG.replace("sha1", "sha256")] },
    code: "FAILED_PRECONDITION",
    message: "error validating signature: payload signature check failed",
    authFailure: true,
  },
  {
    name: "a signature made with another secret",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": [sign("sha1", BODY, "not-the-secret")] },
    code: "FAILED_PRECONDITION",
    message: "error validating signature: payload signature check failed",
    authFailure: true,
  },
  {
    name: "secretRefs: one secret missing, the other not matching",
    params: { secretRefs: [MISSING_REF, NEW_REF] },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG] },
    code: "FAILED_PRECONDITION",
    message: "error validating signature: payload signature check failed",
    authFailure: true,
  },
  {
    name: "secretRefs: none can be read (the first one's error)",
    params: { secretRefs: [MISSING_REF, { secretName: "gone", secretKey: "k" }] },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG] },
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find secretToken key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
    authFailure: false,
  },
  {
    name: "secretRefs: a malformed signature",
    params: { secretRefs: [REF, NEW_REF] },
    header: { ...EVENT, "X-Hub-Signature": ["md5=00"] },
    code: "FAILED_PRECONDITION",
    message: 'error validating signature: unknown hash type prefix: "md5"',
    authFailure: true,
  },
  {
    name: "secretRef with an empty key, even with secretRefs",
    params: { secretRef: { secretName: "bitbucket-secret" }, secretRefs: [REF] },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG] },
    code: "FAILED_PRECONDITION",
    message: "bitbucket interceptor secretRef.secretKey is empty",
    authFailure: false,
  },
  {
    name: "a body changed after signing",
    params: { secretRef: REF },
    header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG] },
    body: `${BODY} `,
    code: "FAILED_PRECONDITION",
    message: "error validating signature: payload signature check failed",
    authFailure: true,
  },
];

describe("bitbucket interceptor: rejections", () => {
  it.each(rejections)("$name", async (c) => {
    const res = await run(c.params, request(c.body ?? BODY, c.header));
    const text = expectRejection(res, c);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(NEW_SECRET);
    const sig = c.header["X-Hub-Signature"]?.[0];
    if (sig !== undefined && sig !== "") expect(text).not.toContain(sig);
  });
});

describe("bitbucket interceptor: accepted events", () => {
  const cases: {
    name: string;
    params: Record<string, unknown>;
    header: Record<string, string[]>;
  }[] = [
    { name: "no params", params: {}, header: {} },
    {
      name: "Bitbucket Cloud: eventTypes only",
      params: { eventTypes: ["repo:push", "pullrequest:created"] },
      header: { "X-Event-Key": ["pullrequest:created"] },
    },
    {
      name: "a sha1 signature",
      params: { secretRef: REF },
      header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG] },
    },
    {
      name: "a sha256 signature",
      params: { secretRef: REF },
      header: { ...EVENT, "X-Hub-Signature": [sign("sha256", BODY, SECRET)] },
    },
    {
      name: "a sha512 signature",
      params: { secretRef: REF },
      header: { ...EVENT, "X-Hub-Signature": [sign("sha512", BODY, SECRET)] },
    },
    {
      name: "upper-case hex digits",
      params: { secretRef: REF },
      header: { ...EVENT, "X-Hub-Signature": [`sha1=${GOOD_SIG.slice(5).toUpperCase()}`] },
    },
    {
      name: "eventTypes and a signature together",
      params: { eventTypes: ["repo:refs_changed"], secretRef: REF },
      header: { ...EVENT, "X-Hub-Signature": [GOOD_SIG] },
    },
    {
      name: "a form Content-Type (Tekton's curl sends none, so curl's form default reaches it)",
      params: { secretRef: REF },
      header: {
        ...EVENT,
        "Content-Type": ["application/x-www-form-urlencoded"],
        "X-Hub-Signature": [GOOD_SIG],
      },
    },
  ];
  it.each(cases)("$name", async (c) => {
    expect(await run(c.params, request(BODY, c.header))).toEqual({ continue: true });
  });

  const rotation: { name: string; params: Record<string, unknown>; secret: string }[] = [
    { name: "secretRefs: the old key", params: { secretRefs: [REF, NEW_REF] }, secret: SECRET },
    { name: "secretRefs: the new key", params: { secretRefs: [REF, NEW_REF] }, secret: NEW_SECRET },
    {
      name: "secretRef and secretRefs: the secretRefs key",
      params: { secretRef: REF, secretRefs: [NEW_REF] },
      secret: NEW_SECRET,
    },
    {
      name: "secretRefs: a missing secret is skipped when another matches",
      params: { secretRefs: [MISSING_REF, NEW_REF] },
      secret: NEW_SECRET,
    },
  ];
  it.each(rotation)("$name", async (c) => {
    const header = { ...EVENT, "X-Hub-Signature": [sign("sha256", BODY, c.secret)] };
    expect(await run(c.params, request(BODY, header))).toEqual({ continue: true });
  });

  it("reads every secretRefs secret from the trigger's namespace", async () => {
    const { ctx, calls } = makeCtx();
    const header = { ...EVENT, "X-Hub-Signature": [GOOD_SIG] };
    await run({ secretRefs: [REF, NEW_REF] }, request(BODY, header), ctx);
    expect(calls).toEqual([
      { ref: REF, ns: "default" },
      { ref: NEW_REF, ns: "default" },
    ]);
  });

  it("reads the secret once, from the trigger's namespace", async () => {
    const { ctx, calls } = makeCtx();
    await run({ secretRef: REF }, request(BODY, { ...EVENT, "X-Hub-Signature": [GOOD_SIG] }), ctx);
    expect(calls).toEqual([{ ref: REF, ns: "default" }]);
  });
});

describe("bitbucket interceptor: Cloud and Server/Data Center deliveries", () => {
  const fixture = (name: string): string =>
    readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), "utf8");
  const headersOf = (name: string): Record<string, string[]> =>
    JSON.parse(fixture(name)) as Record<string, string[]>;
  // Cloud sends the body as a file would hold it; Server sends compact JSON.
  const deliveries = [
    {
      name: "Bitbucket Cloud repo:push (X-Hub-Signature: sha256=, since 2023)",
      body: fixture("cloud-repo-push.json"),
      header: headersOf("cloud-repo-push.headers.json"),
      eventTypes: ["repo:push"],
    },
    {
      name: "Bitbucket Server/Data Center repo:refs_changed",
      body: JSON.stringify(JSON.parse(fixture("server-repo-refs-changed.json"))),
      header: headersOf("server-repo-refs-changed.headers.json"),
      eventTypes: ["repo:refs_changed"],
    },
  ];

  it.each(deliveries)("accepts a signed $name", async (d) => {
    const header = { ...d.header, "X-Hub-Signature": [sign("sha256", d.body, SECRET)] };
    const res = await run({ eventTypes: d.eventTypes, secretRef: REF }, request(d.body, header));
    expect(res).toEqual({ continue: true });
  });

  it.each(deliveries)("rejects $name signed with another secret", async (d) => {
    const header = { ...d.header, "X-Hub-Signature": [sign("sha256", d.body, "not-it")] };
    const res = await run({ eventTypes: d.eventTypes, secretRef: REF }, request(d.body, header));
    expect(res).toEqual({
      continue: false,
      status: {
        code: "FAILED_PRECONDITION",
        message: "error validating signature: payload signature check failed",
      },
      authFailure: true,
    });
  });

  it.each(deliveries)("rejects $name without a signature when a secret is set", async (d) => {
    const res = await run({ secretRef: REF }, request(d.body, d.header));
    expect(res).toEqual({
      continue: false,
      status: { code: "INVALID_ARGUMENT", message: "no X-Hub-Signature header set" },
      authFailure: true,
    });
  });

  it("accepts an unsigned Cloud delivery with eventTypes only (a webhook without a secret)", async () => {
    const d = deliveries[0];
    expect(d).toBeDefined();
    const res = await run({ eventTypes: ["repo:push"] }, request(d?.body ?? "", d?.header ?? {}));
    expect(res).toEqual({ continue: true });
  });
});

describe("bitbucket interceptor: Tekton's published vector", () => {
  const curl = fileURLToPath(
    new URL("../../../shared/tekton-examples/v1beta1/bitbucket-server/curl.sh", import.meta.url),
  );
  const header = "sha1=b3fdaf5d1a47e57527764a233659c650a11abdd8";

  it.skipIf(!existsSync(curl))(
    "examples/v1beta1/bitbucket-server/curl.sh verifies with 1234567",
    async () => {
      const script = readFileSync(curl, "utf8");
      const body = /-d '([^']*)'/.exec(script)?.[1];
      expect(body).toBeDefined();
      expect(script).toContain(`X-Hub-Signature: ${header}`);
      const ref = { secretName: "example", secretKey: "secretToken" };
      const headers = { ...EVENT, "X-Hub-Signature": [header] };
      expect(sign("sha1", body ?? "", "1234567")).toBe(header);
      const ok = await run(
        { eventTypes: ["repo:refs_changed"], secretRef: ref },
        request(body ?? "", headers),
      );
      expect(ok).toEqual({ continue: true });
      const bad = await run({ secretRef: ref }, request(`${body ?? ""}\n`, headers));
      expect(bad).toEqual({
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message: "error validating signature: payload signature check failed",
        },
        authFailure: true,
      });
    },
  );
});

describe("bitbucket interceptor: params", () => {
  function paramError(params: Record<string, unknown>): ParamError {
    return paramErrorOf((p) => bitbucket.parseParams(p), params);
  }

  it.each([
    {
      name: "Go-style names (EventTypes, SecretRef)",
      params: { EventTypes: ["repo:push"], SecretRef: { secretName: "s", SecretKey: "k" } },
      expected: { eventTypes: ["repo:push"], secretRef: { secretName: "s", secretKey: "k" } },
    },
    {
      name: "secretRefs (key rotation)",
      params: { secretRefs: [REF, NEW_REF] },
      expected: { secretRefs: [REF, NEW_REF] },
    },
    { name: "no params", params: {}, expected: {} },
  ])("parses $name", ({ params, expected }) => {
    expect(bitbucket.parseParams(params)).toEqual(expected);
  });

  it.each([
    { name: "an unknown param", params: { events: ["repo:push"] }, field: "events" },
    {
      name: "an unknown key in secretRef",
      params: { secretRef: { secretName: "s", secretKey: "k", namespace: "x" } },
      field: "secretRef.namespace",
    },
    { name: "eventTypes as a string", params: { eventTypes: "repo:push" }, field: "eventTypes" },
    { name: "secretRef as a number", params: { secretRef: 1 }, field: "secretRef" },
    { name: "an empty secretRefs list", params: { secretRefs: [] }, field: "secretRefs" },
    {
      name: "a secretRefs entry with an empty key",
      params: { secretRefs: [REF, { secretName: "s", secretKey: "" }] },
      field: "secretRefs[1]",
    },
  ])("refuses $name with a ParamError naming $field", ({ params, field }) => {
    const err = paramError(params);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field.split(".").pop());
  });
});
