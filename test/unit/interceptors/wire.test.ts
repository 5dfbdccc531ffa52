import { describe, expect, it } from "vitest";
import {
  parseWireResponse,
  toWireRequest,
  toWireResponse,
} from "../../../src/interceptors/wire.js";

describe("Tekton's InterceptorRequest/InterceptorResponse on the wire", () => {
  it("writes a request as Tekton POSTs it, empty fields omitted and the body byte for byte", () => {
    const body = Buffer.from('{"a": 1,  "b":"x"}');
    const wire = toWireRequest(
      {
        body,
        bodyJSON: () => JSON.parse(body.toString()) as unknown,
        header: { "X-Github-Event": ["push"] },
        extensions: {},
        context: { event_url: "/?a=b", event_id: "e1", trigger_id: "namespaces/ci/triggers/t" },
      },
      { eventTypes: ["push"] },
    );
    expect(JSON.parse(JSON.stringify(wire))).toEqual({
      body: '{"a": 1,  "b":"x"}',
      header: { "X-Github-Event": ["push"] },
      interceptor_params: { eventTypes: ["push"] },
      context: { event_url: "/?a=b", event_id: "e1", trigger_id: "namespaces/ci/triggers/t" },
    });
  });

  it.each([
    {
      name: "continue with extensions",
      json: { continue: true, extensions: { k: "v" } },
      want: { continue: true, extensions: { k: "v" } },
    },
    { name: "continue without extensions", json: { continue: true }, want: { continue: true } },
    {
      name: "a missing continue means false",
      json: {},
      want: { continue: false, status: { code: "OK", message: "" } },
    },
    {
      name: "numeric code",
      json: { continue: false, status: { code: 9, message: "no" } },
      want: { continue: false, status: { code: "FAILED_PRECONDITION", message: "no" } },
    },
    {
      name: "Go's code name",
      json: { continue: false, status: { code: "FailedPrecondition", message: "no" } },
      want: { continue: false, status: { code: "FAILED_PRECONDITION", message: "no" } },
    },
    {
      name: "upper-case code name",
      json: { continue: false, status: { code: "INVALID_ARGUMENT" } },
      want: { continue: false, status: { code: "INVALID_ARGUMENT", message: "" } },
    },
  ])("reads $name", ({ json, want }) => {
    expect(parseWireResponse(json)).toEqual(want);
  });

  it.each([
    { name: "an array", json: [] },
    { name: "extensions that are a list", json: { continue: true, extensions: [1] } },
    { name: "an unknown code", json: { continue: false, status: { code: 99 } } },
    { name: "a code that is no code", json: { continue: false, status: { code: "Nope" } } },
  ])("refuses $name", ({ json }) => {
    expect(() => parseWireResponse(json)).toThrow();
  });

  it("writes responses with continue always present and the code as a number", () => {
    expect(
      toWireResponse({
        continue: false,
        status: { code: "FAILED_PRECONDITION", message: "event type ping is not allowed" },
      }),
    ).toEqual({
      continue: false,
      status: { code: 9, message: "event type ping is not allowed" },
    });
    expect(toWireResponse({ continue: true })).toEqual({ continue: true });
  });
});
