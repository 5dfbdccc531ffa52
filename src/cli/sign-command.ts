import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { signPayload, SIGN_SCHEMES } from "./sign-payload.js";

/**
 * `hookline sign`: prints the signature header for a payload file, ready for `curl -H`. The
 * secret comes from --secret-file (or --secret); it is never printed.
 */
export async function runSign(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        secret: { type: "string" },
        "secret-file": { type: "string" },
        scheme: { type: "string", default: "github" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`hookline sign: ${(err as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const scheme = SIGN_SCHEMES.find((s) => s === values.scheme);
  const file = positionals[0];
  if (
    file === undefined ||
    scheme === undefined ||
    (values.secret === undefined) === (values["secret-file"] === undefined)
  ) {
    process.stderr.write(
      `usage: hookline sign (--secret SECRET | --secret-file FILE) [--scheme ${SIGN_SCHEMES.join("|")}] PAYLOAD_FILE\n`,
    );
    return 2;
  }
  try {
    const secret =
      values.secret ?? (await readFile(values["secret-file"] ?? "", "utf8")).replace(/\r?\n$/, "");
    const body = await readFile(file);
    process.stdout.write(`${signPayload(scheme, body, secret)}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(
      `hookline sign: cannot read ${(err as NodeJS.ErrnoException).path ?? "input"}\n`,
    );
    return 1;
  }
}
