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
import { gitlab } from "./index.js";

const SECRET = "gl-s3cr3t-token";
const REF = { secretName: "gitlab-secret", secretKey: "secretToken" };
const MISSING_REF = { secretName: "nope", secretKey: "secretToken" };
const BODY = '{"object_kind": "push", "ref": "refs/heads/main"}';

const secretValues: Record<string, string> = {
  "default/gitlab-secret/secretToken": SECRET,
  "default/example/secretToken": "1234567",
};

const { makeCtx, run } = interceptorHarness(gitlab, secretValues);

function request(body: string, header: HeaderRecord = {}): InterceptorRequest {
  return makeRequest({ body, header });
}

const PUSH = { "Content-Type": ["application/json"], "X-Gitlab-Event": ["Push Hook"] };

interface RejectCase extends Rejection {
  params: Record<string, unknown>;
}

const rejections: RejectCase[] = [
  {
    name: "an event type not in the list",
    params: { eventTypes: ["Push Hook", "Merge Request Hook"] },
    header: { ...PUSH, "X-Gitlab-Event": ["Tag Push Hook"] },
    code: "FAILED_PRECONDITION",
    message: "event type Tag Push Hook is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "no X-Gitlab-Event header",
    params: { eventTypes: ["Push Hook"] },
    header: { "Content-Type": ["application/json"] },
    code: "FAILED_PRECONDITION",
    message: "event type  is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "an event type that differs only in case",
    params: { eventTypes: ["Push Hook"] },
    header: { ...PUSH, "X-Gitlab-Event": ["push hook"] },
    code: "FAILED_PRECONDITION",
    message: "event type push hook is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "eventTypes, before a wrong token",
    params: { eventTypes: ["Merge Request Hook"], secretRef: REF },
    header: { ...PUSH, "X-Gitlab-Token": ["wrong-token-value"] },
    code: "FAILED_PRECONDITION",
    message: "event type Push Hook is not allowed",
    authFailure: false,
    notApplicable: true,
  },
  {
    name: "an empty secretKey",
    params: { secretRef: { secretName: "gitlab-secret", secretKey: "" } },
    header: { ...PUSH, "X-Gitlab-Token": [SECRET] },
    code: "FAILED_PRECONDITION",
    message: "gitlab interceptor secretRef.secretKey is empty",
    authFailure: false,
  },
  {
    name: "an empty secretKey, before the header check",
    params: { secretRef: { secretName: "gitlab-secret" } },
    header: PUSH,
    code: "FAILED_PRECONDITION",
    message: "gitlab interceptor secretRef.secretKey is empty",
    authFailure: false,
  },
  {
    name: "no X-Gitlab-Token header",
    params: { secretRef: REF },
    header: PUSH,
    code: "INVALID_ARGUMENT",
    message: "no X-Gitlab-Token header set",
    authFailure: true,
  },
  {
    name: 'an empty X-Gitlab-Token header (Go\'s Header.Get gives the same "")',
    params: { secretRef: REF },
    header: { ...PUSH, "X-Gitlab-Token": [""] },
    code: "INVALID_ARGUMENT",
    message: "no X-Gitlab-Token header set",
    authFailure: true,
  },
  {
    name: "no token header, before the secret lookup",
    params: { secretRef: MISSING_REF },
    header: PUSH,
    code: "INVALID_ARGUMENT",
    message: "no X-Gitlab-Token header set",
    authFailure: true,
  },
  {
    name: "a secret that cannot be found",
    params: { secretRef: MISSING_REF },
    header: { ...PUSH, "X-Gitlab-Token": [SECRET] },
    code: "FAILED_PRECONDITION",
    message: "error getting secret: cannot find secretToken key in secret default/nope",
    failure: "HL_SECRET_NOT_FOUND",
    authFailure: false,
  },
  {
    name: "a wrong token",
    params: { secretRef: REF },
    header: { ...PUSH, "X-Gitlab-Token": ["wrong-token-value"] },
    code: "INVALID_ARGUMENT",
    message: "Invalid X-GitLab-Token",
    authFailure: true,
  },
  {
    name: "a prefix of the token",
    params: { secretRef: REF },
    header: { ...PUSH, "X-Gitlab-Token": [SECRET.slice(0, -1)] },
    code: "INVALID_ARGUMENT",
    message: "Invalid X-GitLab-Token",
    authFailure: true,
  },
  {
    name: "the token with a byte more",
    params: { secretRef: REF },
    header: { ...PUSH, "X-Gitlab-Token": [`${SECRET}x`] },
    code: "INVALID_ARGUMENT",
    message: "Invalid X-GitLab-Token",
    authFailure: true,
  },
  {
    name: "the token in another case",
    params: { secretRef: REF },
    header: { ...PUSH, "X-Gitlab-Token": [SECRET.toUpperCase()] },
    code: "INVALID_ARGUMENT",
    message: "Invalid X-GitLab-Token",
    authFailure: true,
  },
  {
    name: "the right token only as the second value (Go reads the first)",
    params: { secretRef: REF },
    header: { ...PUSH, "X-Gitlab-Token": ["wrong-token-value", SECRET] },
    code: "INVALID_ARGUMENT",
    message: "Invalid X-GitLab-Token",
    authFailure: true,
  },
];

describe("gitlab interceptor: rejections", () => {
  it.each(rejections)("$name", async (c) => {
    const res = await run(c.params, request(BODY, c.header));
    const text = expectRejection(res, c);
    // Neither the secret nor the token sent is ever echoed.
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SECRET.toUpperCase());
    const token = c.header["X-Gitlab-Token"]?.[0];
    if (token !== undefined && token !== "") expect(text).not.toContain(token);
  });
});

describe("gitlab interceptor: accepted events", () => {
  const cases: {
    name: string;
    params: Record<string, unknown>;
    header: Record<string, string[]>;
    body?: string;
  }[] = [
    { name: "no params", params: {}, header: PUSH },
    { name: "no headers at all", params: {}, header: {} },
    {
      name: "an event type in the list",
      params: { eventTypes: ["Push Hook", "Merge Request Hook"] },
      header: PUSH,
    },
    {
      name: "the right token",
      params: { secretRef: REF },
      header: { ...PUSH, "X-Gitlab-Token": [SECRET] },
    },
    {
      name: "eventTypes and the right token",
      params: { eventTypes: ["Push Hook"], secretRef: REF },
      header: { ...PUSH, "X-Gitlab-Token": [SECRET] },
    },
    {
      name: "a body that is not JSON (gitlab never reads the body)",
      params: { secretRef: REF },
      header: { ...PUSH, "X-Gitlab-Token": [SECRET] },
      body: "not json",
    },
    {
      name: "a form Content-Type (only the github interceptor refuses forms)",
      params: {},
      header: { "Content-Type": ["application/x-www-form-urlencoded"] },
    },
  ];
  it.each(cases)("$name", async (c) => {
    expect(await run(c.params, request(c.body ?? BODY, c.header))).toEqual({ continue: true });
  });

  it("reads the secret once, from the trigger's namespace", async () => {
    const { ctx, calls } = makeCtx();
    await run({ secretRef: REF }, request(BODY, { ...PUSH, "X-Gitlab-Token": [SECRET] }), ctx);
    expect(calls).toEqual([{ ref: REF, ns: "default" }]);
  });

  const curl = fileURLToPath(
    new URL("../../../shared/tekton-examples/v1beta1/gitlab/curl.sh", import.meta.url),
  );
  it.skipIf(!existsSync(curl))(
    "accepts Tekton's examples/v1beta1/gitlab/curl.sh headers",
    async () => {
      const script = readFileSync(curl, "utf8");
      const token = /X-GitLab-Token: ([^']*)'/.exec(script)?.[1];
      const event = /X-Gitlab-Event: ([^']*)'/.exec(script)?.[1];
      expect(token).toBe("1234567");
      const res = await run(
        {
          eventTypes: ["Push Hook"],
          secretRef: { secretName: "example", secretKey: "secretToken" },
        },
        request(BODY, { "X-Gitlab-Token": [token ?? ""], "X-Gitlab-Event": [event ?? ""] }),
      );
      expect(res).toEqual({ continue: true });
    },
  );
});

describe("gitlab interceptor: params", () => {
  function paramError(params: Record<string, unknown>): ParamError {
    return paramErrorOf((p) => gitlab.parseParams(p), params);
  }

  const parsed: { name: string; params: Record<string, unknown>; expected: unknown }[] = [
    { name: "no params", params: {}, expected: {} },
    {
      name: "Go-style names (EventTypes, SecretRef, SecretName, SecretKey)",
      params: { EventTypes: ["Push Hook"], SecretRef: { SecretName: "s", secretkey: "k" } },
      expected: { eventTypes: ["Push Hook"], secretRef: { secretName: "s", secretKey: "k" } },
    },
    {
      name: "null values count as unset",
      params: { eventTypes: null, secretRef: null },
      expected: {},
    },
  ];
  it.each(parsed)("parses $name", ({ params, expected }) => {
    expect(gitlab.parseParams(params)).toEqual(expected);
  });

  const errors: { name: string; params: Record<string, unknown>; field: string }[] = [
    { name: "an unknown param", params: { eventType: ["Push Hook"] }, field: "eventType" },
    {
      name: "a github-only param",
      params: { githubOwners: { enabled: true } },
      field: "githubOwners",
    },
    {
      name: "an unknown key in secretRef",
      params: { secretRef: { secretName: "s", name: "k" } },
      field: "secretRef.name",
    },
    { name: "eventTypes as a string", params: { eventTypes: "Push Hook" }, field: "eventTypes" },
    { name: "eventTypes with a bool", params: { eventTypes: [true] }, field: "eventTypes" },
    { name: "secretRef as a string", params: { secretRef: "gitlab-secret" }, field: "secretRef" },
    {
      name: "a numeric secretName",
      params: { secretRef: { secretName: 1, secretKey: "k" } },
      field: "secretRef",
    },
  ];
  it.each(errors)("refuses $name with a ParamError naming $field", ({ params, field }) => {
    const err = paramError(params);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field.split(".").pop());
  });
});
