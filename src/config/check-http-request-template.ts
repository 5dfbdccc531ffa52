import { isMap, isScalar, isSeq } from "yaml";
import {
  CREDENTIAL_HEADER,
  HTTP_REQUEST_METHODS,
  IDEMPOTENCY_KEY_HEADER,
  MAX_HTTP_REQUEST_TIMEOUT_MS,
  parseHttpRequestTimeout,
} from "../core/http-request-entry.js";
import {
  childPath,
  decodeEntrySpec,
  decodeMap,
  describeNode,
  type DecodeContext,
  type Field,
} from "./decode.js";

/** An RFC 9110 field name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the connection or by hookline itself: not written in an entry. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "content-length",
  "host",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  IDEMPOTENCY_KEY_HEADER.toLowerCase(),
]);
const PLACEHOLDER = /\$\((tt\.params\.|uid\))/;

/**
 * Checks a `hookline.dev/v1alpha1` `HTTPRequest` entry of a TriggerTemplate's resourcetemplates,
 * with the file, line and column of each problem: no unknown fields; `spec.url` an http(s) URL
 * whose scheme, host and port are written out (params only in its path and query, so a payload
 * can never send a request — and its secret headers — elsewhere) and without credentials;
 * `method` one of GET, POST, PUT, PATCH, DELETE (default POST); `headers` a map of names to a
 * string or `{secretRef: {name, key}}` (written out: a payload cannot choose which Secret is sent),
 * a credential header (Authorization, …) only from a secretRef; `body` (a string, or an object sent
 * as JSON) or `form` (fields sent url-encoded), not both; `expectedStatuses` a list of statuses;
 * `timeout` such as `10s` or `500ms`, at most 30 s. Returns false when something was reported.
 */
export function checkHttpRequestTemplate(el: Field, cx: DecodeContext): boolean {
  const before = cx.issues.length;
  const decoded = decodeEntrySpec(el, cx, [
    "url",
    "method",
    "headers",
    "body",
    "form",
    "expectedStatuses",
    "timeout",
  ]);
  if (decoded === undefined) return cx.issues.length === before;
  const { spec, specField } = decoded;

  const urlField = spec.get("url");
  if (urlField === undefined)
    cx.error(specField.node, childPath(specField.path, "url"), "missing field: url");
  else checkUrl(urlField, cx);

  const methodField = spec.get("method");
  let method: string | undefined = "POST";
  if (methodField !== undefined) {
    method = staticString(methodField, cx);
    if (method !== undefined && !HTTP_REQUEST_METHODS.some((m) => m === method))
      cx.error(
        cx.deref(methodField.node),
        methodField.path,
        `method must be one of ${HTTP_REQUEST_METHODS.join(", ")} (default POST), got "${method}"`,
      );
  }

  const headers = spec.get("headers");
  if (headers !== undefined) checkHeaders(headers, cx);

  const body = spec.get("body");
  const form = spec.get("form");
  if (body !== undefined && form !== undefined)
    cx.error(cx.deref(form.node), form.path, "body and form cannot both be set: choose one");
  if (body !== undefined) {
    const node = cx.deref(body.node);
    if (!isMap(node) && !isSeq(node) && !(isScalar(node) && typeof node.value === "string"))
      cx.error(node, body.path, `body must be a string or an object, got ${describeNode(node)}`);
  }
  if (form !== undefined) checkForm(form, cx);
  const payload = body ?? form;
  if (payload !== undefined && method === "GET")
    cx.error(cx.deref(payload.node), payload.path, "a GET request has no body");

  const statuses = spec.get("expectedStatuses");
  if (statuses !== undefined) checkStatuses(statuses, cx);

  const timeout = spec.get("timeout");
  if (timeout !== undefined) {
    const text = staticString(timeout, cx);
    const ms = text === undefined ? undefined : parseHttpRequestTimeout(text);
    if (text !== undefined && (ms === undefined || ms <= 0 || ms > MAX_HTTP_REQUEST_TIMEOUT_MS))
      cx.error(
        cx.deref(timeout.node),
        timeout.path,
        `timeout must be a duration such as 10s or 500ms, at most ${MAX_HTTP_REQUEST_TIMEOUT_MS / 1000}s, got "${text}"`,
      );
  }
  return cx.issues.length === before;
}

function checkUrl(field: Field, cx: DecodeContext): void {
  const node = cx.deref(field.node);
  const text = isScalar(node) && typeof node.value === "string" ? node.value : undefined;
  if (text === undefined || text === "") {
    cx.error(node, field.path, `url must be a non-empty string, got ${describeNode(node)}`);
    return;
  }
  const at = text.search(PLACEHOLDER);
  // The part before the first param must hold the whole origin, up to the path's first "/".
  const fixed = at === -1 ? text : text.slice(0, at);
  const origin = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([/?#]|$)/.exec(fixed);
  if (origin === null || (at !== -1 && origin[3] === "")) {
    cx.error(
      node,
      field.path,
      at === -1
        ? `"${text}" is not an http(s) URL`
        : "the URL's scheme, host and port must be written out: params may be used in its path and query only",
    );
    return;
  }
  const scheme = (origin[1] ?? "").toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    cx.error(node, field.path, `the URL must be http or https, not ${scheme}`);
    return;
  }
  if ((origin[2] ?? "").includes("@")) {
    cx.error(
      node,
      field.path,
      "the URL must not hold credentials (user:password@): send them in a header from a secretRef",
    );
    return;
  }
  try {
    new URL(at === -1 ? text : `${fixed.slice(0, origin[0].length - 1)}/`);
  } catch {
    cx.error(node, field.path, "the URL's host or port is not valid");
  }
}

function checkHeaders(field: Field, cx: DecodeContext): void {
  const node = cx.deref(field.node);
  if (!isMap(node)) {
    cx.error(
      node,
      field.path,
      `headers must be a map of names to values, got ${describeNode(node)}`,
    );
    return;
  }
  const seen = new Set<string>();
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    const name = typeof key === "string" ? key : "";
    const path = childPath(field.path, name);
    if (!HEADER_NAME.test(name)) {
      cx.error(pair.key, field.path, `"${String(key)}" is not a header name`);
      continue;
    }
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) {
      cx.error(
        pair.key,
        path,
        lower === IDEMPOTENCY_KEY_HEADER.toLowerCase()
          ? `${IDEMPOTENCY_KEY_HEADER} is set by hookline (the delivery key, the same on every retry)`
          : `${name} is set by the connection, not by the entry`,
      );
      continue;
    }
    if (seen.has(lower)) cx.error(pair.key, path, `header ${name} is given twice`);
    seen.add(lower);
    const value = cx.deref(pair.value);
    if (isScalar(value) && typeof value.value === "string") {
      if (CREDENTIAL_HEADER.test(name))
        cx.error(
          value,
          path,
          `${name} carries a credential: take its value from a Secret ({secretRef: {name, key}}), not from the config`,
        );
      continue;
    }
    const from = decodeMap(value, path, cx, ["secretRef"]);
    if (from === undefined) continue;
    const ref = from.get("secretRef");
    if (ref === undefined) {
      cx.error(value, path, "a header value is a string or {secretRef: {name, key}}");
      continue;
    }
    const refFields = decodeMap(ref.node, ref.path, cx, ["name", "key"]);
    for (const k of ["name", "key"]) {
      const f = refFields?.get(k);
      if (refFields === undefined) break;
      if (f === undefined)
        cx.error(cx.deref(ref.node), childPath(ref.path, k), `missing field: ${k}`);
      else staticString(f, cx);
    }
  }
}

function checkForm(field: Field, cx: DecodeContext): void {
  const node = cx.deref(field.node);
  if (!isMap(node)) {
    cx.error(
      node,
      field.path,
      `form must be a map of field names to strings, got ${describeNode(node)}`,
    );
    return;
  }
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = cx.deref(pair.value);
    if (!isScalar(value) || value.value === null || typeof value.value === "object")
      cx.error(
        value,
        childPath(field.path, key),
        `a form field is a string, got ${describeNode(value)}`,
      );
  }
}

function checkStatuses(field: Field, cx: DecodeContext): void {
  const node = cx.deref(field.node);
  if (!isSeq(node) || node.items.length === 0) {
    cx.error(node, field.path, "expectedStatuses must be a non-empty list of HTTP statuses");
    return;
  }
  node.items.forEach((item, i) => {
    const n = cx.deref(item);
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 100 || v > 599)
      cx.error(n, `${field.path}[${i}]`, `an HTTP status is a whole number from 100 to 599`);
  });
}

/** A non-empty string without params (`method`, `timeout`, a secretRef's name and key). */
function staticString(field: Field, cx: DecodeContext): string | undefined {
  const node = cx.deref(field.node);
  if (!isScalar(node) || typeof node.value !== "string" || node.value === "")
    return cx.error(node, field.path, `expected a non-empty string, got ${describeNode(node)}`);
  if (PLACEHOLDER.test(node.value))
    return cx.error(node, field.path, "must be written out: params are not allowed here");
  return node.value;
}
