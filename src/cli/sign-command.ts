import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  HMAC_ALGORITHMS,
  HMAC_ENCODINGS,
  type HmacAlgorithm,
  type HmacEncoding,
} from "../../interceptors/hmac/params.js";
import { parseFlags } from "../settings/parse-settings.js";
import type { FlagValues } from "../settings/read-option.js";
import type { CommandIo } from "./command-io.js";
import { ownArgsOptions, SIGN_USAGE, usageLines } from "./command-usage.js";
import { signPayload, SIGN_SCHEMES, type SignOptions, type SignScheme } from "./sign-payload.js";

/** What sign's --help says after its options (command-usage.ts has the rest). */
export const SIGN_DETAILS = `Prints the header lines a sender would add to PAYLOAD_FILE, one "Name: value" per line.
The secret is never printed, except by --scheme gitlab, whose header is the token itself.

Schemes (default github):
  github              X-Hub-Signature-256: sha256=<hex>
  bitbucket           X-Hub-Signature: sha256=<hex>  (Server/Data Center and Cloud)
  gitlab              X-Gitlab-Token: <the secret>   (PAYLOAD_FILE optional)
  slack               X-Slack-Request-Timestamp and X-Slack-Signature   [--timestamp SECONDS]
  standard-webhooks   webhook-id, webhook-timestamp, webhook-signature  [--id ID] [--timestamp SECONDS]
  hmac                <HEADER>: <PREFIX><digest>   --header NAME [--algorithm ${HMAC_ALGORITHMS.join("|")}]
                                                   [--encoding ${HMAC_ENCODINGS.join("|")}] [--prefix TEXT]

One header:     curl -H "$(hookline sign --secret-file s.txt body.json)" --data-binary @body.json URL
Several (curl 7.55+ reads headers from a file, one per line):
                curl -H @<(hookline sign --scheme slack --secret-file s.txt form.txt) --data-binary @form.txt URL
`;

const USAGE = `${usageLines(SIGN_USAGE, "usage: ")}\nRun \`hookline sign --help\` for the schemes.\n`;

/** Which extra options each scheme takes; any other is refused, so a typo does not go unnoticed. */
const SCHEME_OPTIONS: Record<SignScheme, readonly string[]> = {
  github: [],
  bitbucket: [],
  gitlab: [],
  slack: ["timestamp"],
  "standard-webhooks": ["id", "timestamp"],
  hmac: ["header", "algorithm", "encoding", "prefix"],
};

/**
 * `hookline sign`: prints the signature header(s) for a payload file, ready for `curl -H` (one
 * line) or `curl -H @file` (several). The secret comes from --secret-file (or --secret) and is
 * never printed, except by the gitlab scheme, whose header is the token itself (a warning says so
 * on stderr).
 */
export async function runSign(args: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(args, SIGN_USAGE.settings, ownArgsOptions(SIGN_USAGE), true);
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const { positionals } = parsed;
  const values = textValues(parsed.values);
  values.scheme ??= "github";
  const scheme = SIGN_SCHEMES.find((s) => s === values.scheme);
  if (scheme === undefined)
    return usage(
      io,
      `unknown scheme "${values.scheme}"; expected one of ${SIGN_SCHEMES.join(", ")}`,
    );
  const file = positionals[0];
  if (positionals.length > 1) return usage(io, "give one PAYLOAD_FILE");
  if (file === undefined && scheme !== "gitlab") return usage(io, "PAYLOAD_FILE is missing");
  if ((values.secret === undefined) === (values["secret-file"] === undefined))
    return usage(io, "give exactly one of --secret and --secret-file");
  for (const name of ["timestamp", "id", "header", "algorithm", "encoding", "prefix"] as const) {
    if (values[name] !== undefined && !SCHEME_OPTIONS[scheme].includes(name))
      return usage(io, `--${name} does not apply to --scheme ${scheme}`);
  }
  const options = signOptions(scheme, values);
  if (typeof options === "string") return usage(io, options);

  let secret: string;
  let body: Buffer;
  try {
    secret =
      values.secret ?? (await readFile(values["secret-file"] ?? "", "utf8")).replace(/\r?\n$/, "");
    body = file === undefined ? Buffer.alloc(0) : await readFile(file);
  } catch (err) {
    io.stderr.write(
      `hookline sign: cannot read ${(err as NodeJS.ErrnoException).path ?? "input"}\n`,
    );
    return 1;
  }
  let lines: string[];
  try {
    lines = signPayload(scheme, body, secret, options);
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  if (scheme === "gitlab")
    io.stderr.write("hookline sign: note: the gitlab scheme's header is the secret token itself\n");
  io.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** The flags' values that are text (every flag of sign takes one). */
function textValues(flags: FlagValues): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  for (const [name, value] of Object.entries(flags))
    if (typeof value === "string") out[name] = value;
  return out;
}

function usage(io: CommandIo, problem: string): number {
  io.stderr.write(`hookline sign: ${problem}\n${USAGE}`);
  return 2;
}

/** The scheme's options from the command line, or what is wrong with them. */
function signOptions(
  scheme: SignScheme,
  values: Partial<
    Record<"timestamp" | "id" | "header" | "algorithm" | "encoding" | "prefix", string>
  >,
): SignOptions | string {
  const out: SignOptions = {};
  if (values.timestamp !== undefined) {
    if (!/^\d{1,15}$/.test(values.timestamp))
      return "--timestamp must be a Unix time in whole seconds";
    out.timestamp = Number(values.timestamp);
  }
  if (scheme === "standard-webhooks") {
    const id = values.id ?? `msg_${randomUUID().replaceAll("-", "")}`;
    if (id === "" || /[\s]/.test(id)) return "--id must be non-empty, without spaces";
    out.id = id;
  }
  if (scheme === "hmac") {
    if (values.header === undefined || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(values.header))
      return "--scheme hmac needs --header NAME (an HTTP header name)";
    out.header = values.header;
    const algorithm = HMAC_ALGORITHMS.find((a) => a === (values.algorithm ?? "sha256"));
    if (algorithm === undefined) return `--algorithm must be one of ${HMAC_ALGORITHMS.join(", ")}`;
    out.algorithm = algorithm satisfies HmacAlgorithm;
    const encoding = HMAC_ENCODINGS.find((e) => e === (values.encoding ?? "hex"));
    if (encoding === undefined) return `--encoding must be one of ${HMAC_ENCODINGS.join(", ")}`;
    out.encoding = encoding satisfies HmacEncoding;
    if (values.prefix !== undefined) out.prefix = values.prefix;
  }
  return out;
}
