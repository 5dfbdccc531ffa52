/**
 * The one catalogue of error codes that can reach a user. A code is never reused once retired.
 * `status` is the HTTP status an answer carries when the error ends a request.
 */
export const codes = {
  HL_INTAKE_BODY_TOO_LARGE: { status: 413, summary: "request body exceeds the configured limit" },
  HL_INTAKE_INVALID_PAYLOAD: { status: 400, summary: "request body is not a JSON object" },
  HL_INTAKE_TOO_COMPLEX: {
    status: 413,
    summary:
      "the JSON body nests deeper than 128 levels or has more than 100,000 object keys and array items",
  },
  HL_INTAKE_BUSY: {
    status: 503,
    summary:
      "the listener is receiving as many request bodies as it takes at once (in bytes, or from this address); retry after Retry-After",
  },
  HL_INTAKE_FORM_ENCODED: {
    status: 400,
    summary:
      "the delivery is form-encoded and the trigger's interceptor takes JSON only: set Content type to application/json in the webhook's settings",
  },
  HL_INTAKE_READ_FAILED: { status: 500, summary: "the request body could not be read" },
  HL_LISTENER_NOT_FOUND: { status: 404, summary: "no EventListener serves this path" },
  HL_LISTENER_UNAUTHENTICATED: {
    status: 401,
    summary: "every trigger rejected the event's signature or token",
  },
  HL_JOURNAL_UNAVAILABLE: {
    status: 503,
    summary: "the event could not be stored; nothing of it was kept, so the sender should retry",
  },
  HL_LISTENER_INTERNAL: { status: 500, summary: "the EventListener failed unexpectedly" },
  HL_ADMIN_UNAUTHORIZED: { status: 401, summary: "the admin port needs a valid bearer token" },
  HL_ADMIN_BAD_REQUEST: { status: 400, summary: "a query parameter of the admin API is not valid" },
  HL_ADMIN_HOST_NOT_ALLOWED: {
    status: 421,
    summary: "the Host header names neither the admin port's address nor a configured admin host",
  },
  HL_ADMIN_CROSS_SITE: {
    status: 403,
    summary: "a state-changing admin request came from another site (Origin or Sec-Fetch-Site)",
  },
  HL_ADMIN_TOO_MANY_STREAMS: {
    status: 503,
    summary:
      "as many event streams (the page's live refresh) are open as the admin port holds; close a tab or try later",
  },
  HL_ADMIN_CSRF_INVALID: {
    status: 403,
    summary: "the page's form token is missing, forged or expired; reload the page",
  },
  HL_ADMIN_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    summary: "an admin API request that changes state must be sent as application/json",
  },
  HL_EVENT_NOT_FOUND: { status: 404, summary: "no event with that id is in the journal" },
  HL_RUN_NOT_FOUND: {
    status: 404,
    summary: "no PipelineRun or TaskRun by that name in the local sink's output directory",
  },
  HL_EVENT_BODY_NOT_KEPT: {
    status: 409,
    summary:
      "the event's body was not kept (no trigger authenticated it and it fired nothing): it cannot be replayed",
  },
  HL_CONFIG_INVALID: { status: 500, summary: "configuration failed validation" },
  HL_CONFIG_REFERENCE: {
    status: 500,
    summary: "configuration refers to an object that is not defined",
  },
  HL_CONFIG_READ_FAILED: { status: 500, summary: "a configuration file could not be read" },
  HL_CONFIG_TOO_LARGE: {
    status: 500,
    summary: "a configuration file or directory is over its size limit",
  },
  HL_SECRET_NOT_FOUND: { status: 500, summary: "a referenced secret or secret key does not exist" },
  HL_BINDING_FAILED: { status: 500, summary: "a binding expression could not be evaluated" },
  HL_SINK_ALREADY_EXISTS: { status: 409, summary: "a resource with that name already exists" },
  HL_SINK_WRITE_FAILED: { status: 500, summary: "the sink could not create a resource" },
  HL_HTTP_UNEXPECTED_STATUS: {
    status: 502,
    summary: "an HTTPRequest delivery was answered with a status it does not expect",
  },
  HL_HTTP_REQUEST_FAILED: {
    status: 502,
    summary: "an HTTPRequest delivery got no answer (refused, reset, timed out)",
  },
  HL_HTTP_DESTINATION_REFUSED: {
    status: 403,
    summary:
      "an HTTPRequest delivery's destination is not allowed (loopback, link-local or metadata address, or not in HOOKLINE_HTTP_ALLOW)",
  },
  HL_SETTINGS_INVALID: {
    status: 400,
    summary: "a command-line flag or environment variable has a value hookline cannot use",
  },
  HL_PACKAGE_MISSING: {
    status: 500,
    summary:
      "a package that the configuration needs (loaded only when used) is not installed: reinstall hookline's dependencies",
  },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof codes;
