import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it, expect } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { formBodyAsJSON } from "../../src/listener/prepare-body.js";
import {
  ParamError,
  type InterceptorContext,
  type InterceptorRequest,
  type InterceptorResponse,
  type StatusCodeName,
} from "../../src/interceptors/public.js";
import { slack } from "./index.js";

const TOKEN = "EidhofDor5uIpqQ9RrtOVdnC"; // Slack's verification token, carried in the form
const SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

const ctx: InterceptorContext = {
  secrets: {
    get: () => Promise.reject(new Error("the slack interceptor reads no secrets")),
  },
  namespace: "default",
  log: createLogger({ silent: true }),
  signal: new AbortController().signal,
  receivedAt: new Date(),
};

function request(body: string | Buffer, header: Record<string, string[]> = {}): InterceptorRequest {
  const raw = typeof body === "string" ? Buffer.from(body) : body;
  let memo: { value: unknown } | undefined;
  return {
    body: raw,
    bodyJSON: () =>
      (memo ??= {
        value: raw.length === 0 ? undefined : (JSON.parse(raw.toString("utf8")) as unknown),
      }).value,
    header,
    extensions: {},
    context: { event_url: "/", event_id: "e", trigger_id: "namespaces/default/triggers/t" },
  };
}

async function run(
  params: Record<string, unknown>,
  req: InterceptorRequest,
): Promise<InterceptorResponse> {
  return slack.process(req, slack.parseParams(params), ctx);
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

interface RejectCase {
  name: string;
  params: Record<string, unknown>;
  header: Record<string, string[]>;
  body?: string;
  code: StatusCodeName;
  message: string;
  authFailure: boolean;
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
    expect(res).toEqual({
      continue: false,
      status: { code: c.code, message: c.message },
      ...(c.authFailure ? { authFailure: true } : {}),
    });
    // Neither the form's token nor the signature header is ever echoed (Tekton prints the payload).
    const text = JSON.stringify(res);
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
    try {
      slack.parseParams(params);
    } catch (err) {
      if (err instanceof ParamError) return err;
      throw err;
    }
    throw new Error("expected a ParamError");
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
    { name: "no params", params: {}, expected: undefined },
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
  ])("refuses $name with a ParamError naming $field", ({ params, field }) => {
    const err = paramError(params);
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
  });
});
