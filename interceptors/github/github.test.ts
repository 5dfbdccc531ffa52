import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it, expect } from "vitest";
import type { InterceptorRequest, ParamError } from "../../src/interceptors/public.js";
import { checkHubSignature as checkSignature } from "../../src/interceptors/public.js";
import {
  expectRejection,
  interceptorHarness,
  makeRequest,
  paramErrorOf,
  type HeaderRecord,
  type Rejection,
} from "../../test/support/interceptor-harness.js";
import { github } from "./index.js";

const SECRET = "gh-s3cr3t-value";
const REF = { secretName: "github-secret", secretKey: "secretToken" };
const MISSING_REF = { secretName: "nope", secretKey: "secretToken" };
const BODY = '{"action": "opened", "number": 7}';

/** Secrets as the real resolver keys them: `<namespace>/<name>/<key>`. */
const secretValues: Record<string, string> = {
  "default/github-secret/secretToken": SECRET,
  "default/example/secretToken": "1234567",
};

const { makeCtx, run } = interceptorHarness(github, secretValues);

function request(body: string | Buffer, header: HeaderRecord = {}): InterceptorRequest {
  return makeRequest({ body, header });
}

function sign(algo: string, body: string | Buffer, secret: string): string {
  return `${algo}=${createHmac(algo, secret).update(body).digest("hex")}`;
}

const GOOD_SIG = sign("sha256", BODY, SECRET);
const JSON_CT = { "Content-Type": ["application/json"] };
const FORM_CT = { "Content-Type": ["application/x-www-form-urlencoded"] };

interface RejectCase extends Rejection {
  params: Record<string, unknown>;
}

const rejections: RejectCase[] = [
  // 1. form bodies, before everything else
  {
    name: "a form body",
    params: {},
    header: FORM_CT,
    code: "INVALID_ARGUMENT",
    message: "form parameter encoding not supported, please change the hook to send JSON payloads",
    authFailure: false,
  },
  {
    name: "a form body, before eventTypes",
    params: { eventTypes: ["push"] },
    header: { ...FORM_CT, "X-Github-Event": ["ping"] },
    code: "INVALID_ARGUMENT",
    message: "form parameter encoding not supported, please change the hook to send JSON payloads",
    authFailure: false,
  },
  {
    name: "a form body, before the signature",
    params: { secretRef: REF },
    header: { ...FORM_CT, "X-Hub-Signature-256": ["sha256=00"] },
    code: "INVALID_ARGUMENT",
    message: "form parameter encoding not supported, please change the hook to send JSON payloads",
    authFailure: false,
  },
  // 2. eventTypes
  {
    name: "an event type not in the list",
    params: { eventTypes: ["push", "pull_request"] },
    header: { ...JSON_CT, "X-Github-Event": ["ping"] },
    code: "FAILED_PRECONDITION",
    message: "event type ping is not allowed",
    authFailure: false,
    notApplicable: true,
    ruledOutBy: {
      fact: "eventType",
      seen: "ping",
      expected: ["push", "pull_request"],
      header: "X-GitHub-Event",
    },
  },
  {
    name: "no X-Github-Event header (two spaces in the message, as in Tekton; another provider's)",
    params: { eventTypes: ["push"] },
    header: JSON_CT,
    code: "FAILED_PRECONDITION",
    message: "event type  is not allowed",
    authFailure: false,
    notApplicable: true,
    ruledOutBy: { fact: "provider", seen: "", expected: "github", header: "X-GitHub-Event" },
  },
  {
    name: "an empty X-Github-Event header is an event type, not another provider",
    params: { eventTypes: ["push"] },
    header: { ...JSON_CT, "X-Github-Event": [""] },
    code: "FAILED_PRECONDITION",
    message: "event type  is not allowed",
    authFailure: false,
    notApplicable: true,
    ruledOutBy: { fact: "eventType", seen: "", expected: ["push"], header: "X-GitHub-Event" },
  },
  {
    name: "an event type that differs only in case",
    params: { eventTypes: ["push"] },
    header: { ...JSON_CT, "X-Github-Event": ["Push"] },
    code: "FAILED_PRECONDITION",
    message: "event type Push is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "an empty eventTypes list allows nothing",
    params: { eventTypes: [] },
    header: { ...JSON_CT, "X-Github-Event": ["push"] },
    code: "FAILED_PRECONDITION",
    message: "event type push is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "eventTypes, before a bad signature",
    params: { eventTypes: ["push"], secretRef: REF },
    header: { ...JSON_CT, "X-Github-Event": ["ping"], "X-Hub-Signature-256": ["sha256=00"] },
    code: "FAILED_PRECONDITION",
    message: "event type ping is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "eventTypes, before an empty secretKey",
    params: { eventTypes: ["push"], secretRef: { secretName: "github-secret", secretKey: "" } },
    header: { ...JSON_CT, "X-Github-Event": ["ping"] },
    code: "FAILED_PRECONDITION",
    message: "event type ping is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  // 3. secretRef
  {
    name: "an empty secretKey",
    params: { secretRef: { secretName: "github-secret", secretKey: "" } },
    header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG] },
    code: "FAILED_PRECONDITION",
    message: "github interceptor secretRef.secretKey is empty",
    authFailure: false,
  },
  {
    name: "a secretRef without secretKey, before the header check",
    params: { secretRef: { secretName: "github-secret" } },
    header: JSON_CT,
    code: "FAILED_PRECONDITION",
    message: "github interceptor secretRef.secretKey is empty",
    authFailure: false,
  },
  {
    name: "no X-Hub-Signature-256 header",
    params: { secretRef: REF },
    header: JSON_CT,
    code: "FAILED_PRECONDITION",
    message: "no X-Hub-Signature-256 header set",
    authFailure: true,
  },
  {
    name: 'an empty X-Hub-Signature-256 header (Go\'s Header.Get gives the same "")',
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [""] },
    code: "FAILED_PRECONDITION",
    message: "no X-Hub-Signature-256 header set",
    authFailure: true,
  },
  {
    name: "only the SHA-1 X-Hub-Signature header (not read since Tekton PR #1899)",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature": [sign("sha1", BODY, SECRET)] },
    code: "FAILED_PRECONDITION",
    message: "no X-Hub-Signature-256 header set",
    authFailure: true,
  },
  {
    name: "a secret that cannot be found",
    params: { secretRef: MISSING_REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG] },
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find secretToken key in secret default/nope",
    authFailure: false,
  },
  // 4. go-github ValidateSignature
  {
    name: "a signature without '='",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": ["c26dd919ebe335852219c49f74c4b24f"] },
    code: "FAILED_PRECONDITION",
    message: "error parsing signature",
    authFailure: true,
  },
  {
    name: "an unknown algorithm",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": ["md5=0123456789abcdef0123456789abcdef"] },
    code: "FAILED_PRECONDITION",
    message: 'unknown hash type prefix: "md5"',
    authFailure: true,
  },
  {
    name: "an upper-case algorithm (Go compares the prefix exactly)",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG.replace("sha256", "SHA256")] },
    code: "FAILED_PRECONDITION",
    message: 'unknown hash type prefix: "SHA256"',
    authFailure: true,
  },
  {
    name: "an empty algorithm",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": ["=0123abcd"] },
    code: "FAILED_PRECONDITION",
    message: 'unknown hash type prefix: ""',
    authFailure: true,
  },
  {
    name: "an Object.prototype key as the algorithm (constructor)",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": ["constructor=0123abcd"] },
    code: "FAILED_PRECONDITION",
    message: 'unknown hash type prefix: "constructor"',
    authFailure: true,
  },
  {
    name: "an Object.prototype key as the algorithm (__proto__)",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": ["__proto__=0123abcd"] },
    code: "FAILED_PRECONDITION",
    message: 'unknown hash type prefix: "__proto__"',
    authFailure: true,
  },
  {
    name: "a signature that is not hex",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG.slice(0, -2) + "zz"] },
    code: "FAILED_PRECONDITION",
    message: "error decoding signature: encoding/hex: invalid byte",
    authFailure: true,
  },
  {
    name: "a signature with an odd number of hex digits",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG.slice(0, -1)] },
    code: "FAILED_PRECONDITION",
    message: "error decoding signature: encoding/hex: odd length hex string",
    authFailure: true,
  },
  {
    name: "a bad character is reported before an odd length, as Go does",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": ["sha256=abg"] },
    code: "FAILED_PRECONDITION",
    message: "error decoding signature: encoding/hex: invalid byte",
    authFailure: true,
  },
  {
    name: "a hex signature of the wrong length",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG.slice(0, -2)] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "an empty hex part",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": ["sha256="] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "a signature made with another secret",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [sign("sha256", BODY, "not-the-secret")] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "a body changed by one space after signing",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG] },
    body: BODY.replace('"opened",', '"opened" ,'),
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  {
    name: "a sha256 signature with a sha1 prefix",
    params: { secretRef: REF },
    header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG.replace("sha256", "sha1")] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
  // 5. the GitHub API features
  // (interceptors/github/github-changed-files.test.ts and github-owners.test.ts have the rest.)
  {
    name: "addChangedFiles on a push without a repository (no API call needed)",
    params: { addChangedFiles: { enabled: true } },
    header: { ...JSON_CT, "X-Github-Event": ["push"] },
    code: "FAILED_PRECONDITION",
    message: "error parsing body: payload body missing 'repository' field",
    authFailure: false,
  },
  {
    name: "githubOwners with orgMembers and no personalAccessToken",
    params: { githubOwners: { enabled: true, checkType: "orgMembers" } },
    header: { ...JSON_CT, "X-Github-Event": ["pull_request"] },
    code: "FAILED_PRECONDITION",
    message:
      "checkType is set to check org or repo members but no personalAccessToken was supplied",
    authFailure: false,
  },
  {
    name: "addChangedFiles enabled, after a bad signature",
    params: { secretRef: REF, addChangedFiles: { enabled: true } },
    header: { ...JSON_CT, "X-Hub-Signature-256": ["sha256=00"] },
    code: "FAILED_PRECONDITION",
    message: "payload signature check failed",
    authFailure: true,
  },
];

describe("github interceptor: rejections", () => {
  it.each(rejections)("$name", async (c) => {
    const res = await run(c.params, request(c.body ?? BODY, c.header));
    const text = expectRejection(res, c);
    // Neither the secret nor the signature header is ever echoed.
    expect(text).not.toContain(SECRET);
    const sig = c.header["X-Hub-Signature-256"]?.[0];
    if (sig !== undefined && sig !== "") expect(text).not.toContain(sig);
  });
});

describe("github interceptor: accepted events", () => {
  const cases: {
    name: string;
    params: Record<string, unknown>;
    header: Record<string, string[]>;
    body?: string;
  }[] = [
    { name: "no params", params: {}, header: JSON_CT },
    { name: "no Content-Type at all", params: {}, header: {} },
    {
      name: "a form Content-Type with a charset (Tekton compares exactly)",
      params: {},
      header: { "Content-Type": ["application/x-www-form-urlencoded; charset=utf-8"] },
    },
    {
      name: "an event type in the list",
      params: { eventTypes: ["push", "pull_request"] },
      header: { ...JSON_CT, "X-Github-Event": ["pull_request"] },
    },
    {
      name: "the first X-Github-Event value counts",
      params: { eventTypes: ["push"] },
      header: { ...JSON_CT, "X-Github-Event": ["push", "ping"] },
    },
    {
      name: "a sha256 signature computed with node:crypto",
      params: { secretRef: REF },
      header: { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG] },
    },
    {
      name: "upper-case hex digits",
      params: { secretRef: REF },
      header: {
        ...JSON_CT,
        "X-Hub-Signature-256": [`sha256=${GOOD_SIG.slice(7).toUpperCase()}`],
      },
    },
    {
      name: "a sha1 signature in X-Hub-Signature-256 (go-github takes any known prefix)",
      params: { secretRef: REF },
      header: { ...JSON_CT, "X-Hub-Signature-256": [sign("sha1", BODY, SECRET)] },
    },
    {
      name: "a sha512 signature in X-Hub-Signature-256",
      params: { secretRef: REF },
      header: { ...JSON_CT, "X-Hub-Signature-256": [sign("sha512", BODY, SECRET)] },
    },
    {
      name: "a signed body that is not JSON (the body is never parsed)",
      params: { secretRef: REF },
      header: { ...JSON_CT, "X-Hub-Signature-256": [sign("sha256", "not json", SECRET)] },
      body: "not json",
    },
    {
      name: "an empty signed body",
      params: { secretRef: REF },
      header: { ...JSON_CT, "X-Hub-Signature-256": [sign("sha256", "", SECRET)] },
      body: "",
    },
    {
      name: "eventTypes and a signature together",
      params: { eventTypes: ["push"], secretRef: REF },
      header: { ...JSON_CT, "X-Github-Event": ["push"], "X-Hub-Signature-256": [GOOD_SIG] },
    },
    {
      name: "addChangedFiles and githubOwners present but disabled",
      params: {
        addChangedFiles: { enabled: false },
        githubOwners: { enabled: false, checkType: "all" },
      },
      header: JSON_CT,
    },
  ];
  it.each(cases)("$name", async (c) => {
    expect(await run(c.params, request(c.body ?? BODY, c.header))).toEqual({ continue: true });
  });

  it("reads the secret once, from the trigger's namespace", async () => {
    const { ctx, calls } = makeCtx();
    const res = await run(
      { secretRef: REF },
      request(BODY, { ...JSON_CT, "X-Hub-Signature-256": [GOOD_SIG] }),
      ctx,
    );
    expect(res.continue).toBe(true);
    expect(calls).toEqual([{ ref: REF, ns: "default" }]);
  });

  it("does not look the secret up when the signature header is missing or the event is refused", async () => {
    const { ctx, calls } = makeCtx();
    await run({ secretRef: REF }, request(BODY, JSON_CT), ctx);
    await run(
      { secretRef: REF, eventTypes: ["push"] },
      request(BODY, { ...JSON_CT, "X-Github-Event": ["ping"], "X-Hub-Signature-256": [GOOD_SIG] }),
      ctx,
    );
    expect(calls).toEqual([]);
  });
});

describe("github interceptor: Tekton's published vector", () => {
  const curl = fileURLToPath(
    new URL("../../../shared/tekton-examples/v1beta1/github/curl.sh", import.meta.url),
  );
  const header = "sha256=c26dd919ebe335852219c49f74c4b24f1c62c93c77294be3ac6d8f2e4691a023";

  it.skipIf(!existsSync(curl))(
    "examples/v1beta1/github/curl.sh verifies with 1234567",
    async () => {
      const script = readFileSync(curl, "utf8");
      const body = /-d '([^']*)'/.exec(script)?.[1];
      expect(body).toBeDefined();
      expect(script).toContain(`X-Hub-Signature-256: ${header}`);
      const ref = { secretName: "example", secretKey: "secretToken" };
      const headers = {
        ...JSON_CT,
        "X-Github-Event": ["pull_request"],
        "X-Hub-Signature-256": [header],
      };
      const ok = await run(
        { eventTypes: ["pull_request"], secretRef: ref },
        request(body ?? "", headers),
      );
      expect(ok).toEqual({ continue: true });
      expect(sign("sha256", body ?? "", "1234567")).toBe(header);
      // One byte more (a trailing newline, as `--data-binary @file` might add) no longer verifies.
      const bad = await run({ secretRef: ref }, request(`${body ?? ""}\n`, headers));
      expect(bad).toMatchObject({ continue: false, authFailure: true });
    },
  );
});

describe("checkSignature", () => {
  const body = Buffer.from(BODY);
  const secret = Buffer.from(SECRET);
  const cases: { name: string; header: string; result: string | undefined }[] = [
    { name: "an empty header", header: "", result: "missing signature" },
    { name: "sha1", header: sign("sha1", BODY, SECRET), result: undefined },
    { name: "sha256", header: sign("sha256", BODY, SECRET), result: undefined },
    { name: "sha512", header: sign("sha512", BODY, SECRET), result: undefined },
    {
      name: "toString as algorithm",
      header: "toString=00",
      result: 'unknown hash type prefix: "toString"',
    },
    {
      name: "hasOwnProperty as algorithm",
      header: "hasOwnProperty=00",
      result: 'unknown hash type prefix: "hasOwnProperty"',
    },
    {
      name: "sha384 (not in go-github)",
      header: sign("sha384", BODY, SECRET),
      result: 'unknown hash type prefix: "sha384"',
    },
    {
      name: "only the first '=' splits",
      header: `${GOOD_SIG}=`,
      result: "error decoding signature: encoding/hex: invalid byte",
    },
    {
      name: "a sha512 digest under a sha256 prefix",
      header: `sha256=${sign("sha512", BODY, SECRET).slice(7)}`,
      result: "payload signature check failed",
    },
  ];
  it.each(cases)("$name", ({ header, result }) => {
    expect(checkSignature(header, body, secret)).toBe(result);
  });

  it("never throws and never echoes the header, whatever the header", () => {
    const headers = [
      "=",
      "==",
      "sha256==",
      "valueOf=abcd",
      "__defineGetter__=00",
      "sha256=\u00e9\u00e9",
      "sha1=" + "0".repeat(10_000),
      "x".repeat(5000),
    ];
    for (const h of headers) {
      const result = checkSignature(h, body, secret);
      expect(result).toBeDefined();
      expect(result).not.toContain(h);
    }
  });

  it("checks over the raw bytes, not a UTF-8 re-encoding", () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]); // not valid UTF-8
    const header = `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
    expect(checkSignature(header, raw, secret)).toBeUndefined();
    expect(checkSignature(header, Buffer.from(raw.toString("utf8")), secret)).toBe(
      "payload signature check failed",
    );
  });
});

describe("github interceptor: params", () => {
  function paramError(params: Record<string, unknown>): ParamError {
    return paramErrorOf((p) => github.parseParams(p), params);
  }

  const parsed: { name: string; params: Record<string, unknown>; expected: unknown }[] = [
    { name: "no params", params: {}, expected: {} },
    {
      name: "Go-style names (EventTypes, SecretRef, SecretName, SecretKey)",
      params: { EventTypes: ["push"], SecretRef: { SecretName: "s", SECRETKEY: "k" } },
      expected: { eventTypes: ["push"], secretRef: { secretName: "s", secretKey: "k" } },
    },
    {
      name: "Tekton's github-owners example writes CheckType",
      params: { githubOwners: { Enabled: true, CheckType: "none" } },
      expected: { githubOwners: { enabled: true, checkType: "none" } },
    },
    {
      name: "null values count as unset",
      params: { eventTypes: null, secretRef: null, addChangedFiles: null },
      expected: {},
    },
    {
      name: "a secretRef without a key parses (the empty key is a rejection at run time)",
      params: { secretRef: { secretName: "s" } },
      expected: { secretRef: { secretName: "s", secretKey: "" } },
    },
    {
      name: "addChangedFiles with a personalAccessToken",
      params: {
        addChangedFiles: {
          enabled: true,
          personalAccessToken: { secretName: "pat", secretKey: "token" },
        },
      },
      expected: {
        addChangedFiles: {
          enabled: true,
          personalAccessToken: { secretName: "pat", secretKey: "token" },
        },
      },
    },
  ];
  it.each(parsed)("parses $name", ({ params, expected }) => {
    expect(github.parseParams(params)).toEqual(expected);
  });

  const errors: { name: string; params: Record<string, unknown>; field: string }[] = [
    { name: "an unknown param", params: { eventType: ["push"] }, field: "eventType" },
    {
      name: "an unknown key in secretRef",
      params: { secretRef: { secretName: "s", key: "k" } },
      field: "secretRef.key",
    },
    {
      name: "an unknown key in addChangedFiles",
      params: { addChangedFiles: { enabled: true, token: "x" } },
      field: "addChangedFiles.token",
    },
    {
      name: "an unknown key in githubOwners",
      params: { githubOwners: { enabled: true, owners: [] } },
      field: "githubOwners.owners",
    },
    { name: "eventTypes as a string", params: { eventTypes: "push" }, field: "eventTypes" },
    { name: "eventTypes with a number", params: { eventTypes: ["push", 1] }, field: "eventTypes" },
    { name: "secretRef as a string", params: { secretRef: "github-secret" }, field: "secretRef" },
    { name: "secretRef as a list", params: { secretRef: [REF] }, field: "secretRef" },
    {
      name: "a numeric secretKey",
      params: { secretRef: { secretName: "s", secretKey: 1 } },
      field: "secretRef",
    },
    {
      name: "addChangedFiles as a bool",
      params: { addChangedFiles: true },
      field: "addChangedFiles",
    },
    {
      name: "addChangedFiles.enabled as a string",
      params: { addChangedFiles: { enabled: "true" } },
      field: "addChangedFiles.enabled",
    },
    {
      name: "a bad personalAccessToken",
      params: { githubOwners: { enabled: true, personalAccessToken: "pat" } },
      field: "githubOwners.personalAccessToken",
    },
    {
      name: "an unknown checkType",
      params: { githubOwners: { enabled: true, checkType: "owners" } },
      field: "githubOwners.checkType",
    },
    {
      name: "checkType in the wrong case (values are exact, only names are not)",
      params: { githubOwners: { enabled: true, checkType: "OrgMembers" } },
      field: "githubOwners.checkType",
    },
  ];
  it.each(errors)("refuses $name with a ParamError naming $field", ({ params, field }) => {
    const err = paramError(params);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field.split(".").pop());
  });
});
