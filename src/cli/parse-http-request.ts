/**
 * A captured HTTP/1.1 request as text — request line, headers, blank line, body — as Tekton's
 * triggerrun test data keeps them. Line ends may be CRLF or LF. A Content-Length, when given,
 * bounds the body (Tekton's test data includes files whose length is wrong: the header wins).
 * Comment lines (`#`, `//`) and blank lines before the request line are skipped, as editors' HTTP
 * clients skip them (the admin page's "download .http" starts with such comments).
 */
export interface CapturedRequest {
  method: string;
  url: string;
  /** Raw header lines as name/value pairs, in order. */
  rawHeaders: string[];
  body: Buffer;
}

export function parseHttpRequest(captured: Buffer): CapturedRequest {
  const bytes = captured.subarray(leadingCommentBytes(captured));
  const text = bytes.toString("latin1");
  const end = /\r?\n\r?\n/.exec(text);
  const head = end === null ? text : text.slice(0, end.index);
  const bodyStart = end === null ? bytes.length : end.index + end[0].length;
  const [requestLine = "", ...lines] = head.split(/\r?\n/);
  const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine.trim());
  if (m === null) throw new Error(`not an HTTP request line: "${requestLine.slice(0, 80)}"`);
  const rawHeaders: string[] = [];
  let length: number | undefined;
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`not a header line: "${line.slice(0, 80)}"`);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(name, value);
    if (name.toLowerCase() === "content-length" && /^\d+$/.test(value)) length = Number(value);
  }
  let body = bytes.subarray(bodyStart);
  if (length !== undefined && length < body.length) body = body.subarray(0, length);
  // Editors add a final newline to a captured file; a body without a length keeps only what was sent.
  else if (length === undefined && body.toString("latin1").endsWith("\n"))
    body = body.subarray(0, body.toString("latin1").replace(/\r?\n$/, "").length);
  const url = (m[2] ?? "/").replace(/^https?:\/\/[^/]+/, "") || "/";
  return { method: m[1] ?? "POST", url, rawHeaders, body };
}

/** How many bytes of comment and blank lines come before the request line. */
function leadingCommentBytes(bytes: Buffer): number {
  let at = 0;
  for (;;) {
    const eol = bytes.indexOf(0x0a, at);
    if (eol < 0) return at;
    const line = bytes.subarray(at, eol).toString("latin1").trim();
    if (line !== "" && !line.startsWith("#") && !line.startsWith("//")) return at;
    at = eol + 1;
  }
}
