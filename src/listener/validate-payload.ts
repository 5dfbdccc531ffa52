import { HooklineError } from "../errors/hookline-error.js";

/**
 * Tekton's payload validation (TEKTON-SPEC §2.2): the body must decode into a JSON object. The
 * messages follow Go's encoding/json, since users match on Tekton's errorMessage text.
 * Returns undefined when valid, else Go's error text.
 */
export function validatePayload(bodyJSON: () => unknown, raw: Buffer): string | undefined {
  if (raw.length === 0) return "unexpected end of JSON input";
  let value: unknown;
  try {
    value = bodyJSON();
  } catch (err) {
    // Only a body that did not parse is turned into text here: the valid ones are never copied.
    const full = raw.toString("utf8");
    const text = full.trimStart();
    if (text === "") return "unexpected end of JSON input";
    const first = text[0] ?? "";
    if (!'{["tfn-0123456789'.includes(first))
      return `invalid character '${first}' looking for beginning of value`;
    const message = err instanceof Error ? err.message : "";
    // Go's texts for errors inside a document differ by position; JavaScript's say where it is.
    // V8 reports a document cut off inside a string or after a value as an error at its end
    // ("Unterminated string in JSON at position 7"): Go calls both the end of input.
    const at = /at position (\d+)/.exec(message)?.[1];
    return /end of (JSON )?input/i.test(message) || (at !== undefined && Number(at) >= full.length)
      ? "unexpected end of JSON input"
      : `invalid JSON: ${message}`;
  }
  if (value === null) return undefined; // Go decodes `null` into a map as a no-op.
  if (Array.isArray(value)) return goTypeError("array");
  if (typeof value === "object") return undefined;
  if (typeof value === "string") return goTypeError("string");
  if (typeof value === "number") return goTypeError("number");
  return goTypeError("bool");
}

function goTypeError(what: string): string {
  return `json: cannot unmarshal ${what} into Go value of type map[string]interface {}`;
}

/**
 * The message when the body is past hookline's JSON structure limits (HL_INTAKE_TOO_COMPLEX,
 * checked by memoJSON before JSON.parse runs), else undefined. The parse is remembered, so the
 * validation after it costs nothing more.
 */
export function payloadTooComplex(bodyJSON: () => unknown): string | undefined {
  try {
    bodyJSON();
  } catch (err) {
    if (err instanceof HooklineError && err.code === "HL_INTAKE_TOO_COMPLEX") return err.message;
    // Any other error is a body that is not JSON: validatePayload says so in Go's words.
  }
  return undefined;
}
