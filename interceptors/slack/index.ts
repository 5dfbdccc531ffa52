import {
  accept,
  firstHeader,
  isRecord,
  ParamError,
  paramValue,
  reject,
  type Interceptor,
  type InterceptorResponse,
} from "../../src/interceptors/public.js";

export interface SlackParams {
  requestedFields: string[];
}

/** Tekton's slack interceptor (TEKTON-SPEC §4.4): copies requested form fields into extensions. */
export const slack: Interceptor<SlackParams | undefined> = {
  name: "slack",
  parseParams(params): SlackParams | undefined {
    for (const key of Object.keys(params)) {
      if (key.toLowerCase() !== "requestedfields")
        throw new ParamError(key, `unknown param "${key}"; expected requestedFields`);
    }
    const fields = paramValue(params, "requestedFields");
    if (fields === undefined || fields === null) return undefined;
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === "string"))
      throw new ParamError("requestedFields", "requestedFields must be a list of strings");
    return { requestedFields: fields };
  },
  process(req, params): InterceptorResponse {
    // Tekton's order (pkg/interceptors/slack/slack.go): Content-Type, signature, body, then params.
    const missing = "missing header in payload: ContentType application/x-www-form-urlencoded";
    if (firstHeader(req.header, "Content-Type") !== "application/x-www-form-urlencoded")
      return reject("INVALID_ARGUMENT", missing);
    // Tekton only checks that the header is there (the same message is upstream's).
    if ((firstHeader(req.header, "X-Slack-Signature") ?? "") === "")
      return reject("INVALID_ARGUMENT", missing, { authFailure: true });
    let payload: unknown;
    try {
      payload = req.bodyJSON();
    } catch {
      // JSON.parse's message quotes the start of the body (a Slack form carries its token there);
      // Go's does not. Name the problem without the bytes.
      return reject("INVALID_ARGUMENT", "failed to unmarshl slack payload: body is not valid JSON");
    }
    if (!isStringListMap(payload))
      return reject(
        "INVALID_ARGUMENT",
        "failed to unmarshl slack payload: body is not a JSON object of string lists",
      );
    if (params === undefined) return reject("NOT_FOUND", "missing requested field definition");
    const extensions: Record<string, unknown> = {};
    for (const field of params.requestedFields) {
      // Tekton prints the whole payload here; hookline names the field instead (the form holds a token).
      if (!Object.hasOwn(payload, field))
        return reject("NOT_FOUND", `requested field does not exists in payload: ${field}`);
      extensions[field] = payload[field];
    }
    return accept(extensions);
  },
};

/** Tekton decodes the body into Go's `map[string][]string`, the sink's form-to-JSON shape. */
function isStringListMap(value: unknown): value is Record<string, string[]> {
  return (
    isRecord(value) &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((s) => typeof s === "string"))
  );
}
