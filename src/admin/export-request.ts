import { firstHeader } from "../core/canonical-header.js";
import { REDACTED } from "../store/redact-headers.js";
import type { StoredEvent } from "../store/types.js";

/**
 * A stored event as a request someone can send again ("copy as curl", "download .http"), with
 * every credential left out.
 *
 * Token headers were redacted when the event was stored, and so was any secret value inside any
 * header; both are left out here. Signature headers are stored (replay verifies them again) but
 * are left out too: they are derived from the secret, and a GitHub or Bitbucket signature never
 * expires, so a copied one would let whoever holds the text send the event again as the provider.
 * Instead the curl signs the body again with `hookline sign` and a secret file the user names
 * (slack and Standard Webhooks get a fresh timestamp that way, as they need), and the .http says
 * which headers to add.
 */
export interface ExportedRequest {
  method: string;
  /** Path and query as stored (query values redacted unless the listener keeps them). */
  url: string;
  /** The headers sent again, in stored order. */
  headers: [string, string][];
  /** The headers left out, each with why. */
  leftOut: { name: string; why: "credential" | "signature" }[];
  /** `hookline sign` arguments that give the signature headers back, when a scheme fits. */
  sign: string[] | undefined;
  body: Buffer;
}

/** Sent by the client itself (curl, an editor's HTTP client), or meaningless on a new connection. */
const TRANSPORT = new Set([
  "Host",
  "Content-Length",
  "Connection",
  "Keep-Alive",
  "Transfer-Encoding",
  "Te",
  "Trailer",
  "Upgrade",
  "Expect",
  "Accept-Encoding",
  "Proxy-Connection",
]);

/** Names that carry a signature or a secret; the same rule the views redact by. */
const SECRETISH =
  /signature|token|secret|password|passwd|authorization|cookie|api-?key|credential/i;

/** Made again by `hookline sign` with the signature (a new timestamp goes with a new signature). */
const SIGNED_WITH = new Set(["X-Slack-Request-Timestamp", "Webhook-Timestamp"]);

/** The body, headers and how to sign again; undefined for an event whose body was not kept. */
export function exportRequest(event: StoredEvent): ExportedRequest | undefined {
  if (event.body.kind !== "kept") return undefined;
  const headers: [string, string][] = [];
  const leftOut: ExportedRequest["leftOut"] = [];
  const sign = signArgs(event);
  for (const [name, values] of Object.entries(event.headers)) {
    if (TRANSPORT.has(name)) continue;
    if (SECRETISH.test(name) || values.some((v) => v.includes(REDACTED))) {
      leftOut.push({ name, why: /signature/i.test(name) ? "signature" : "credential" });
      continue;
    }
    if (sign !== undefined && SIGNED_WITH.has(name)) continue;
    for (const v of values) headers.push([name, v]);
  }
  return { method: event.method, url: event.url, headers, leftOut, sign, body: event.body.bytes };
}

/** Which `hookline sign` scheme gives back what the sender signed with, from its headers. */
function signArgs(event: StoredEvent): string[] | undefined {
  const has = (name: string): boolean => firstHeader(event.headers, name) !== undefined;
  if (has("X-Hub-Signature-256")) return ["--scheme", "github"];
  if (has("X-Hub-Signature"))
    return ["--scheme", event.provider === "github" ? "github" : "bitbucket"];
  if (has("X-Gitlab-Token")) return ["--scheme", "gitlab"];
  if (has("X-Slack-Signature")) return ["--scheme", "slack"];
  const id = firstHeader(event.headers, "Webhook-Id");
  if (has("Webhook-Signature") && id !== undefined)
    return ["--scheme", "standard-webhooks", "--id", id];
  return undefined;
}

/** A word for a POSIX shell, in single quotes (a quote inside becomes '\''). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Whether the body can go in the snippet as text: UTF-8 without NUL (a shell string has none). */
function isShellText(body: Buffer): boolean {
  const text = body.toString("utf8");
  return !text.includes("\u0000") && Buffer.from(text, "utf8").equals(body);
}

/**
 * A bash snippet that sends the request to `baseUrl` (or `$HOOKLINE_URL`): the body written to a
 * temporary file byte for byte, the headers, and — for a signed event — the signature made again
 * from `$SECRET_FILE` by `hookline sign`.
 */
export function renderCurl(
  request: ExportedRequest,
  event: Pick<StoredEvent, "id">,
  baseUrl: string,
): string {
  const lines = [`# hookline event ${event.id}, as a request (bash; curl 7.55 or later).`];
  for (const { name, why } of request.leftOut)
    lines.push(
      why === "signature" && request.sign !== undefined
        ? `# ${name}: made again below from $SECRET_FILE (it is derived from the secret).`
        : `# ${name}: left out (${why === "signature" ? "derived from a secret" : "a credential"}).`,
    );
  if (request.sign !== undefined)
    lines.push(': "${SECRET_FILE:?set SECRET_FILE to the file that holds the webhook secret}"');
  lines.push("BODY=$(mktemp)");
  lines.push(
    isShellText(request.body)
      ? `printf '%s' ${shellQuote(request.body.toString("utf8"))} > "$BODY"`
      : `printf '%s' ${shellQuote(request.body.toString("base64"))} | base64 -d > "$BODY"`,
  );
  const url = `"\${HOOKLINE_URL:-${baseUrl}}"${shellQuote(request.url)}`;
  const args = [`curl -sS -X ${request.method} ${url}`];
  for (const [name, value] of request.headers) args.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (request.sign !== undefined)
    args.push(
      `-H @<(hookline sign ${request.sign.join(" ")} --secret-file "$SECRET_FILE" "$BODY")`,
    );
  args.push(`--data-binary @"$BODY"`);
  lines.push(args.join(" \\\n  "));
  lines.push(`rm -f "$BODY"`);
  return `${lines.join("\n")}\n`;
}

/**
 * The request as an HTTP message file (`.http`): what `hookline dry-run --request FILE` and
 * editors' HTTP clients read. A Content-Length bounds the body exactly. Comment lines at the top
 * say what was left out and how to sign the body again.
 */
export function renderHttpFile(
  request: ExportedRequest,
  event: Pick<StoredEvent, "id">,
  baseUrl: string,
): Buffer {
  const comments = [`# hookline event ${event.id}`];
  for (const { name, why } of request.leftOut)
    comments.push(
      `# ${name} left out (${why === "signature" ? "derived from a secret" : "a credential"})`,
    );
  if (request.sign !== undefined)
    comments.push(
      `# To sign the body again, save it and add the lines of: hookline sign ${request.sign.join(" ")} --secret-file FILE BODY_FILE`,
    );
  const head = [
    ...comments,
    `${request.method} ${baseUrl}${request.url} HTTP/1.1`,
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${request.body.length}`,
  ];
  // Header values are Latin-1 on the wire (and the reader takes the head as Latin-1).
  return Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"), request.body]);
}
